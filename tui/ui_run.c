/* The console's main loop: poll() stdin, the backend's wake fd and a resize pipe; handle what is
 * ready; redraw once per pass. Nothing here blocks on the network. */
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "backend/core/term_text.h"
#include "tui/ui.h"
#include "tui/ui_app.h"
#include "tui/ui_screen.h"

static int resize_pipe[2] = {-1, -1};

static void on_winch(int sig)
{
    (void)sig;
    int saved = errno;
    if (resize_pipe[1] >= 0 && write(resize_pipe[1], "r", 1) < 0) {
        /* the pipe is full: a resize is already pending */
    }
    errno = saved;
}

static void drain(int fd)
{
    char buf[64];
    while (read(fd, buf, sizeof(buf)) > 0) {
    }
}

static void apply_size(struct ui_app *app)
{
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
        resizeterm(ws.ws_row, ws.ws_col);
    getmaxyx(stdscr, app->height, app->width);
    clearok(curscr, TRUE);
}

static void read_keys(struct ui_app *app)
{
    wint_t ch;
    int rc;
    while ((rc = get_wch(&ch)) != ERR) {
        if (rc == KEY_CODE_YES) {
            if (ch == KEY_RESIZE) {
                /* resizeterm() queued this; calling it again would queue another. */
                getmaxyx(stdscr, app->height, app->width);
                continue;
            }
            ui_app_key(app, UI_KEY_FN((int)ch));
        } else {
            ui_app_key(app, (int)ch);
        }
        if (app->quit)
            return;
    }
}

int ui_run(struct ui_backend *be, const struct ui_options *opt)
{
    setlocale(LC_ALL, "");
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        nl_term_printf(stderr, "nestlab: the console needs a terminal; use a command such as "
                               "'nestlab inventory' in scripts.\n");
        return 1;
    }
    SCREEN *scr = newterm(NULL, stdout, stdin);
    if (!scr) {
        const char *term = getenv("TERM");
        nl_term_printf(stderr, "nestlab: cannot use terminal type '%s'.\n",
                       term ? term : "(unset)");
        return 1;
    }
    struct ui_app app;
    ui_app_init(&app, be, opt);
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    struct ui_screen screen;
    ui_screen_theme(&screen, &app);

    struct sigaction sa, old_sa;
    if (pipe(resize_pipe) == 0) {
        fcntl(resize_pipe[0], F_SETFL, O_NONBLOCK);
        fcntl(resize_pipe[1], F_SETFL, O_NONBLOCK);
        fcntl(resize_pipe[0], F_SETFD, FD_CLOEXEC);
        fcntl(resize_pipe[1], F_SETFD, FD_CLOEXEC);
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_winch;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGWINCH, &sa, &old_sa);

    getmaxyx(stdscr, app.height, app.width);
    ui_app_pump(&app);
    while (!app.quit) {
        if (app.theme_changed)
            ui_screen_theme(&screen, &app);
        ui_screen_draw(&app, &screen);
        doupdate();

        struct pollfd fds[3] = {{.fd = STDIN_FILENO, .events = POLLIN},
                                {.fd = resize_pipe[0], .events = POLLIN},
                                {.fd = be->wake_fd, .events = POLLIN}};
        nfds_t nfds = be->wake_fd >= 0 ? 3 : 2;
        int timeout = ui_app_busy(&app) ? 100 : 1000;
        int n = poll(fds, nfds, timeout);
        if (n < 0 && errno != EINTR)
            break;
        if (n > 0 && (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL)) &&
            !(fds[0].revents & POLLIN))
            break; /* the terminal went away */
        if (n > 0 && (fds[1].revents & POLLIN)) {
            drain(resize_pipe[0]);
            apply_size(&app);
        }
        if (n > 0 && (fds[0].revents & POLLIN))
            read_keys(&app);
        ui_app_pump(&app);
        if (ui_app_busy(&app))
            app.spin++;
    }

    sigaction(SIGWINCH, &old_sa, NULL);
    endwin();
    delscreen(scr);
    for (int i = 0; i < 2; i++)
        if (resize_pipe[i] >= 0) {
            close(resize_pipe[i]);
            resize_pipe[i] = -1;
        }
    ui_app_free(&app);
    return 0;
}
