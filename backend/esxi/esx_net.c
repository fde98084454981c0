#include "backend/esxi/esx_net.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

long long esx_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int esx_wait_fd(int fd, short events, long long deadline_ms)
{
    struct pollfd p = {.fd = fd, .events = events};
    int rc;
    do {
        int left = (int)(deadline_ms - esx_now_ms());
        rc = left > 0 ? poll(&p, 1, left) : 0;
    } while (rc < 0 && errno == EINTR);
    return rc;
}

int esx_tcp_connect(const char *name, const char *address, int port, long long deadline_ms,
                    const char *why, struct nl_err *err)
{
    char service[16];
    snprintf(service, sizeof(service), "%d", port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
    int gai = getaddrinfo(address, service, &hints, &res);
    if (gai != 0) {
        NL_ERR(err, NL_ERR_CONNECT, "resolve",
               "The address \"%s\" of host \"%s\" cannot be resolved: %s.", address, name,
               gai_strerror(gai));
        return -1;
    }
    int connected = -1, last_errno = ECONNREFUSED;
    for (struct addrinfo *ai = res; ai && connected < 0; ai = ai->ai_next) {
        int fd =
            socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            last_errno = errno;
            continue;
        }
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            connected = fd;
            break;
        }
        if (errno != EINPROGRESS) {
            last_errno = errno;
            close(fd);
            continue;
        }
        int rc = esx_wait_fd(fd, POLLOUT, deadline_ms);
        int soerr = 0;
        socklen_t sl = sizeof(soerr);
        if (rc > 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr == 0) {
            connected = fd;
            break;
        }
        last_errno = rc == 0 ? ETIMEDOUT : (soerr ? soerr : errno);
        close(fd);
    }
    freeaddrinfo(res);
    if (connected < 0)
        NL_ERR(err, NL_ERR_CONNECT, last_errno == ETIMEDOUT ? "timeout" : "refused",
               "Cannot connect to host \"%s\" at %s port %d%s%s: %s.", name, address, port,
               why ? " " : "", why ? why : "", strerror(last_errno));
    return connected;
}
