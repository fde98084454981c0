/* bench_inventory_floor: the floor of the inventory benchmark (tests/bench/bench_inventory.sh).
 * Sends exactly the SOAP requests `nestlab inventory` sends — RetrieveServiceContent, Login,
 * CreateContainerView, RetrievePropertiesEx (maxObjects as given) and ContinueRetrievePropertiesEx
 * while a token comes back, DestroyView, Logout — over one kept-alive libcurl handle with the
 * server certificate verified (against CAFILE, the certificate itself, as a pin would), and
 * discards the bodies: only the view id and the paging token are picked out of them. What is
 * left is the server's time plus the cost of moving the bytes, which no client can beat.
 *
 *   bench_inventory_floor URL USER CAFILE [PAGE]    (password from NESTLAB_PASSWORD)
 *
 * Prints "pages=N bytes=N" on stdout (with NL_FLOOR_VERBOSE set, each request's time to first
 * byte and total on stderr); exits 1 with a message on any failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

/* Only the first bytes of each body are kept: the view id and the paging token (which a
 * RetrieveResult holds before its objects) are near the start. */
struct sink {
    char head[2048];
    size_t head_len;
    size_t bytes;
};

static size_t on_write(char *data, size_t size, size_t n, void *arg)
{
    struct sink *s = arg;
    size_t len = size * n;
    s->bytes += len;
    size_t h = sizeof s->head - 1 - s->head_len;
    if (h > len)
        h = len;
    memcpy(s->head + s->head_len, data, h);
    s->head_len += h;
    return len;
}

/* The text of the first <tag>...</tag> in buf[0..len) (buf need not be terminated), or "". */
static void pick(const char *buf, size_t len, const char *tag, char *out, size_t cap)
{
    char open[64], close[64];
    snprintf(open, sizeof open, "<%s", tag);
    snprintf(close, sizeof close, "</%s>", tag);
    out[0] = '\0';
    char *copy = malloc(len + 1);
    if (!copy)
        return;
    memcpy(copy, buf, len);
    copy[len] = '\0';
    char *a = strstr(copy, open);
    char *gt = a ? strchr(a, '>') : NULL;
    char *b = gt ? strstr(gt, close) : NULL;
    if (b && (size_t)(b - gt - 1) < cap) {
        memcpy(out, gt + 1, (size_t)(b - gt - 1));
        out[b - gt - 1] = '\0';
    }
    free(copy);
}

static CURL *h;
static struct curl_slist *hdrs;
static long pages;
static int verbose;
static size_t total;

static void post(const char *body, struct sink *s)
{
    static const char pre[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope "
                              "xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "
                              "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
                              "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\"><soapenv:Body>";
    static const char post_[] = "</soapenv:Body></soapenv:Envelope>";
    size_t n = strlen(pre) + strlen(body) + strlen(post_) + 1;
    char *env = malloc(n);
    if (!env)
        abort();
    snprintf(env, n, "%s%s%s", pre, body, post_);
    memset(s, 0, sizeof *s);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, env);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(env));
    curl_easy_setopt(h, CURLOPT_WRITEDATA, s);
    CURLcode cc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    free(env);
    if (verbose) {
        double ttfb = 0, all = 0;
        curl_easy_getinfo(h, CURLINFO_STARTTRANSFER_TIME, &ttfb);
        curl_easy_getinfo(h, CURLINFO_TOTAL_TIME, &all);
        fprintf(stderr, "%.40s: %zu bytes, first byte %.1f ms, done %.1f ms\n", body, s->bytes,
                ttfb * 1e3, all * 1e3);
    }
    if (cc != CURLE_OK || status != 200) {
        fprintf(stderr, "bench_inventory_floor: curl %d (%s), HTTP %ld\n", (int)cc,
                curl_easy_strerror(cc), status);
        exit(1);
    }
    s->head[s->head_len] = '\0';
    total += s->bytes;
}

int main(int argc, char **argv)
{
    if (argc < 4 || !getenv("NESTLAB_PASSWORD")) {
        fprintf(stderr,
                "usage: NESTLAB_PASSWORD=... bench_inventory_floor URL USER CAFILE [PAGE]\n");
        return 2;
    }
    verbose = getenv("NL_FLOOR_VERBOSE") != NULL;
    const char *url = argv[1], *user = argv[2], *cafile = argv[3];
    int page = argc > 4 ? atoi(argv[4]) : 1000;
    static const char props[] =
        "<propSet><type>Datacenter</type><pathSet>name</pathSet></propSet>"
        "<propSet><type>Folder</type><pathSet>parent</pathSet></propSet>"
        "<propSet><type>ComputeResource</type><pathSet>parent</pathSet></propSet>"
        "<propSet><type>ClusterComputeResource</type><pathSet>name</pathSet><pathSet>parent</"
        "pathSet></propSet>"
        "<propSet><type>HostSystem</type><pathSet>name</pathSet><pathSet>parent</pathSet>"
        "<pathSet>runtime.connectionState</pathSet><pathSet>hardware.systemInfo.uuid</pathSet>"
        "<pathSet>hardware.cpuInfo</pathSet><pathSet>summary.hardware.cpuModel</pathSet>"
        "<pathSet>summary.quickStats.overallCpuUsage</pathSet><pathSet>config.network.vswitch</"
        "pathSet><pathSet>config.network.portgroup</pathSet><pathSet>configManager."
        "networkSystem</pathSet><pathSet>config.product.version</pathSet></propSet>"
        "<propSet><type>VirtualMachine</type><pathSet>name</pathSet><pathSet>runtime.powerState</"
        "pathSet><pathSet>runtime.host</pathSet><pathSet>config.version</pathSet><pathSet>config."
        "nestedHVEnabled</pathSet><pathSet>config.guestId</pathSet><pathSet>config.hardware."
        "numCPU</pathSet><pathSet>config.hardware.memoryMB</pathSet><pathSet>config.uuid</"
        "pathSet><pathSet>guest.toolsRunningStatus</pathSet><pathSet>network</pathSet></propSet>"
        "<propSet><type>Network</type><pathSet>name</pathSet></propSet>";
    char body[8192], view[256], token[256], root[256], pcid[256], pc[400];
    struct sink s;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    h = curl_easy_init();
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_COOKIEFILE, "");
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    curl_easy_setopt(h, CURLOPT_CAINFO, cafile);
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
    hdrs = curl_slist_append(NULL, "Content-Type: text/xml; charset=\"utf-8\"");
    hdrs = curl_slist_append(hdrs, "SOAPAction: urn:vim25/6.5");
    hdrs = curl_slist_append(hdrs, "Expect:");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);

    post("<RetrieveServiceContent xmlns=\"urn:vim25\"><_this "
         "type=\"ServiceInstance\">ServiceInstance</_this></RetrieveServiceContent>",
         &s);
    pick(s.head, s.head_len, "rootFolder", root, sizeof root);
    pick(s.head, s.head_len, "propertyCollector", pcid, sizeof pcid);
    if (!root[0] || !pcid[0]) {
        fprintf(stderr, "bench_inventory_floor: no rootFolder or propertyCollector in the "
                        "service content\n");
        return 1;
    }
    snprintf(pc, sizeof pc, "<_this type=\"PropertyCollector\">%s</_this>", pcid);
    /* The password goes in the body only (never argv), like the client's Login. */
    snprintf(body, sizeof body,
             "<Login xmlns=\"urn:vim25\"><_this type=\"SessionManager\">SessionManager</_this>"
             "<userName>%s</userName><password>%s</password></Login>",
             user, getenv("NESTLAB_PASSWORD"));
    post(body, &s);
    snprintf(body, sizeof body,
             "<CreateContainerView xmlns=\"urn:vim25\"><_this "
             "type=\"ViewManager\">ViewManager</_this><container type=\"Folder\">%s</container>"
             "<type>Datacenter</type><type>Folder</type><type>ComputeResource</type>"
             "<type>ClusterComputeResource</type><type>HostSystem</type><type>VirtualMachine</"
             "type><type>Network</type><recursive>true</recursive></CreateContainerView>",
             root);
    post(body, &s);
    pick(s.head, s.head_len, "returnval", view, sizeof view);
    snprintf(body, sizeof body,
             "<RetrievePropertiesEx xmlns=\"urn:vim25\">%s<specSet>%s<objectSet><obj "
             "type=\"ContainerView\">%s</obj><skip>true</skip><selectSet "
             "xsi:type=\"TraversalSpec\"><name>traverseView</name><type>ContainerView</type>"
             "<path>view</path><skip>false</skip></selectSet></objectSet></specSet><options>"
             "<maxObjects>%d</maxObjects></options></RetrievePropertiesEx>",
             pc, props, view, page);
    post(body, &s);
    pages++;
    pick(s.head, s.head_len, "token", token, sizeof token);
    while (token[0]) {
        snprintf(body, sizeof body,
                 "<ContinueRetrievePropertiesEx xmlns=\"urn:vim25\">%s<token>%s</token>"
                 "</ContinueRetrievePropertiesEx>",
                 pc, token);
        post(body, &s);
        pages++;
        pick(s.head, s.head_len, "token", token, sizeof token);
    }
    snprintf(body, sizeof body,
             "<DestroyView xmlns=\"urn:vim25\"><_this type=\"ContainerView\">%s</_this>"
             "</DestroyView>",
             view);
    post(body, &s);
    post("<Logout xmlns=\"urn:vim25\"><_this type=\"SessionManager\">SessionManager</_this>"
         "</Logout>",
         &s);
    printf("pages=%ld bytes=%zu\n", pages, total);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    curl_global_cleanup();
    return 0;
}
