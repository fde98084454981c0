/* The SOAP layer on recorded replies: faults classified by their (namespace-aware) xsi:type,
 * transport errors for non-SOAP answers, the size cap, chunked streaming, escaping of request
 * values, and thumbprint syntax. */
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "check.h"
#include "vs_fixture.h"

#include "backend/vsphere/vs_client.h"
#include "backend/vsphere/vs_soap.h"
#include "backend/vsphere/vs_xml.h"

static enum nl_code parse_file(const char *file, const char *method, long status, size_t chunk,
                               size_t cap, struct vs_reply *r, struct nl_err *err)
{
    size_t len;
    char *body = vs_fixture(file, &len);
    memset(err, 0, sizeof *err);
    enum nl_code rc =
        vs_reply_parse(method, "https://vc.test/sdk", status, body, len, chunk, NULL, cap, r, err);
    free(body);
    return rc;
}

static void test_faults(void)
{
    struct vs_reply r;
    struct nl_err err;
    CHECK_INT(parse_file("fault_invalid_login.xml", "Login", 500, 0, 0, &r, &err), NL_ERR_AUTH);
    CHECK_STR(err.detail, "InvalidLogin");
    CHECK(strstr(err.message, "\"Login failure\"") != NULL);
    CHECK(r.doc == NULL);

    CHECK_INT(parse_file("fault_notauth.xml", "CreateContainerView", 500, 0, 0, &r, &err),
              NL_ERR_AUTH);
    CHECK_STR(err.detail, "NotAuthenticated");

    CHECK_INT(parse_file("derived_fault_xmlschema_instance.xml", "CreateContainerView", 500, 0, 0,
                         &r, &err),
              NL_ERR_AUTH);
    CHECK_STR(err.detail, "NotAuthenticated");
    CHECK(strstr(err.message, "\"The session is not authenticated.\"") != NULL);

    CHECK_INT(parse_file("fault_not_found.xml", "DestroyView", 500, 0, 0, &r, &err), NL_ERR_FAULT);
    CHECK_STR(err.detail, "ManagedObjectNotFound");
    CHECK(strstr(err.message, "DestroyView") != NULL);
    CHECK(strstr(err.message, "\"managed object not found: ContainerView:nope\"") != NULL);

    /* The xsi:type classifies, not the element name; a prefix on the value is dropped. */
    CHECK_INT(parse_file("derived_fault_prefixed_type.xml", "DestroyView", 500, 0, 0, &r, &err),
              NL_ERR_FAULT);
    CHECK_STR(err.detail, "InvalidState");
}

static void test_bad_bodies(void)
{
    struct vs_reply r;
    struct nl_err err;
    CHECK_INT(parse_file("derived_truncated.xml", "RetrievePropertiesEx", 200, 0, 0, &r, &err),
              NL_ERR_PARSE);
    CHECK(strstr(err.message, "not well-formed") != NULL);
    CHECK(strstr(err.message, "https://vc.test/sdk") != NULL);
    CHECK(r.doc == NULL);

    CHECK_INT(parse_file("derived_not_xml.html", "Login", 200, 0, 0, &r, &err), NL_ERR_PARSE);
    CHECK(strstr(err.message,
                 "The reply of Login from \"https://vc.test/sdk\" is not well-formed") != NULL);
    CHECK_INT(parse_file("derived_not_xml.html", "Login", 500, 0, 0, &r, &err), NL_ERR_PROTOCOL);
    CHECK(strstr(err.message, "500") != NULL);
    CHECK_INT(parse_file("derived_not_xml.html", "Login", 502, 0, 0, &r, &err), NL_ERR_PROTOCOL);
    CHECK(strstr(err.message, "HTTP status 502") != NULL);
    CHECK(strstr(err.message, "\"https://vc.test/sdk\"") != NULL);

    /* Over the cap: stopped with NL_ERR_LIMIT, whatever the chunking. */
    CHECK_INT(parse_file("inventory_page1.xml", "RetrievePropertiesEx", 200, 0, 1000, &r, &err),
              NL_ERR_LIMIT);
    CHECK(strstr(err.message, "1000 bytes") != NULL);
    CHECK_INT(parse_file("inventory_page1.xml", "RetrievePropertiesEx", 200, 100, 1000, &r, &err),
              NL_ERR_LIMIT);

    /* An empty 200 body. */
    memset(&err, 0, sizeof err);
    CHECK_INT(vs_reply_parse("Login", "u", 200, "", 0, 0, NULL, 0, &r, &err), NL_ERR_PARSE);
    /* A wrong SOAP envelope namespace is not a SOAP reply. */
    const char *fake = "<Envelope><Body><LoginResponse><returnval/></LoginResponse></Body>"
                       "</Envelope>";
    memset(&err, 0, sizeof err);
    CHECK_INT(vs_reply_parse("Login", "u", 200, fake, strlen(fake), 0, NULL, 0, &r, &err),
              NL_ERR_PROTOCOL);
}

static void test_service_content(void)
{
    struct vs_reply r;
    struct nl_err err;
    /* One byte at a time must give the same tree as all at once. */
    for (size_t chunk = 0; chunk <= 1; chunk++) {
        CHECK_INT(
            parse_file("service_content.xml", "RetrieveServiceContent", 200, chunk, 0, &r, &err),
            NL_OK);
        struct vs_moref m;
        CHECK(vs_xml_moref(vs_xml_child(r.returnval, "propertyCollector"), &m));
        CHECK_STR(m.type, "PropertyCollector");
        CHECK_STR(m.id, "propertyCollector");
        vs_moref_clear(&m);
        char *v = vs_xml_child_text(vs_xml_child(r.returnval, "about"), "apiVersion");
        CHECK_STR(v, "6.5");
        free(v);
        vs_reply_clear(&r);
    }
}

static enum nl_code count_objects(void *arg, xmlNode *n, struct nl_err *err)
{
    (void)n, (void)err;
    (*(int *)arg)++;
    return NL_OK;
}

static enum nl_code fail_third(void *arg, xmlNode *n, struct nl_err *err)
{
    (void)n;
    if (++*(int *)arg == 3)
        return NL_ERR(err, NL_ERR_PARSE, NULL, "Object three is bad.");
    return NL_OK;
}

static void test_stream(void)
{
    size_t len;
    char *body = vs_fixture("inventory_page1.xml", &len);
    int n = 0;
    struct vs_stream_spec s = {"objects", 5, count_objects, &n};
    struct vs_reply r;
    struct nl_err err = {0};
    CHECK_INT(vs_reply_parse("RetrievePropertiesEx", "u", 200, body, len, 13, &s, 0, &r, &err),
              NL_OK);
    CHECK_INT(n, 20);
    /* Streamed elements are gone from the tree; the token stays. */
    CHECK(vs_xml_child(r.returnval, "objects") == NULL);
    CHECK(vs_xml_child(r.returnval, "token") != NULL);
    vs_reply_clear(&r);

    n = 0;
    struct vs_stream_spec bad = {"objects", 5, fail_third, &n};
    CHECK_INT(vs_reply_parse("RetrievePropertiesEx", "u", 200, body, len, 0, &bad, 0, &r, &err),
              NL_ERR_PARSE);
    CHECK_STR(err.message, "Object three is bad.");
    CHECK_INT(n, 3);
    free(body);
}

static void test_stream_indented(void)
{
    size_t raw_len, len;
    char *raw = vs_fixture("inventory_page1.xml", &raw_len);
    char *body = vs_fixture_indent(raw, raw_len, &len);
    static const size_t chunks[] = {0, 1, 7, 4096};
    for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
        int n = 0;
        struct vs_stream_spec s = {"objects", 5, count_objects, &n};
        struct vs_reply r;
        struct nl_err err = {0};
        CHECK_INT(
            vs_reply_parse("RetrievePropertiesEx", "u", 200, body, len, chunks[i], &s, 0, &r, &err),
            NL_OK);
        CHECK_INT(n, 20);
        char *token = vs_xml_child_text(r.returnval, "token");
        CHECK(token != NULL && *token != '\0');
        free(token);
        vs_reply_clear(&r);
    }
    free(body);
    free(raw);
}

/* A server that ignores maxObjects sends the whole inventory in one reply of tens of megabytes,
 * which the client may hand to the parser in one piece. */
static void test_stream_huge_reply(void)
{
    const char *head = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                       "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/"
                       "envelope/\"><soapenv:Body><RetrievePropertiesExResponse "
                       "xmlns=\"urn:vim25\"><returnval>";
    const char *obj = "<objects><obj type=\"VirtualMachine\">vm-1</obj><propSet><name>name</name>"
                      "<val>a VM with a name long enough to make this object a little bigger "
                      "than most</val></propSet></objects>";
    const char *tail = "</returnval></RetrievePropertiesExResponse></soapenv:Body>"
                       "</soapenv:Envelope>";
    const size_t count = 200000; /* ~34 MB, as a 10,000-VM inventory in one reply */
    size_t hl = strlen(head), ol = strlen(obj), tl = strlen(tail);
    size_t len = hl + count * ol + tl;
    char *body = malloc(len + 1);
    /* Assembled piecewise: the last memcpy copies the terminator. */
    memcpy(body, head, hl); // NOLINT(bugprone-not-null-terminated-result)
    for (size_t i = 0; i < count; i++)
        memcpy(body + hl + i * ol, obj, ol); // NOLINT(bugprone-not-null-terminated-result)
    memcpy(body + hl + count * ol, tail, tl + 1);
    int n = 0;
    struct vs_stream_spec s = {"objects", 5, count_objects, &n};
    struct vs_reply r;
    struct nl_err err = {0};
    CHECK_INT(vs_reply_parse("RetrievePropertiesEx", "u", 200, body, len, 0, &s, 0, &r, &err),
              NL_OK);
    CHECK_INT(n, (int)count);
    vs_reply_clear(&r);
    free(body);
}

/* A SOAP reply never carries a document type; one with an internal subset can expand a few
 * kilobytes of entities into gigabytes. */
static void test_doctype_refused(void)
{
    const char *bomb =
        "<?xml version=\"1.0\"?><!DOCTYPE e [<!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">"
        "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
        "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>"
        "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\">"
        "<soapenv:Body><LoginResponse xmlns=\"urn:vim25\"><returnval><key>&c;&c;</key>"
        "</returnval></LoginResponse></soapenv:Body></soapenv:Envelope>";
    for (size_t chunk = 0; chunk <= 7; chunk += 7) {
        struct vs_reply r;
        struct nl_err err = {0};
        CHECK_INT(vs_reply_parse("Login", "https://vc.test/sdk", 200, bomb, strlen(bomb), chunk,
                                 NULL, 0, &r, &err),
                  NL_ERR_PROTOCOL);
        CHECK(strstr(err.message, "document type") != NULL);
        CHECK(strstr(err.message, "https://vc.test/sdk") != NULL);
        CHECK(r.doc == NULL);
        /* A fault reply with a DOCTYPE is refused the same way. */
        memset(&err, 0, sizeof err);
        CHECK_INT(vs_reply_parse("Login", "https://vc.test/sdk", 500, bomb, strlen(bomb), chunk,
                                 NULL, 0, &r, &err),
                  NL_ERR_PROTOCOL);
    }
}

static void test_envelope(void)
{
    xmlNode *m;
    xmlDoc *doc = vs_envelope_new("Login", "SessionManager", "SessionManager", &m);
    const char *hostile = "p<a>&\"'$(x);é\xe2\x82\xac";
    vs_xml_add(m, "userName", "administrator@vsphere.local");
    vs_xml_add(m, "password", hostile);
    size_t len;
    char *xml = vs_envelope_dump(doc, &len);
    CHECK(strstr(xml, "p&lt;a&gt;&amp;") != NULL);
    CHECK(strstr(xml, "<Login xmlns=\"urn:vim25\"><_this type=\"SessionManager\">") != NULL);
    /* Round trip: the server reads back exactly what we meant. */
    xmlDoc *back = xmlReadMemory(xml, (int)len, NULL, NULL, XML_PARSE_NONET);
    CHECK(back != NULL);
    xmlNode *body = vs_xml_child(xmlDocGetRootElement(back), "Body");
    char *pw = vs_xml_child_text(vs_xml_child(body, "Login"), "password");
    CHECK_STR(pw, hostile);
    free(pw);
    xmlFreeDoc(back);
    xmlFree(xml);

    xmlNode *sel = vs_xml_add_typed(m, "selectSet", "TraversalSpec");
    char *t = vs_xml_xsi_type(sel);
    CHECK_STR(t, "TraversalSpec");
    free(t);
    xmlFreeDoc(doc);
}

static void test_thumbprint(void)
{
    char out[65];
    struct nl_err err = {0};
    const char *tp = "76:D3:75:C8:F6:EE:66:DC:AB:CA:9D:51:EE:6B:C8:85:A4:D8:27:DD:5A:70:C9:A5:B8:"
                     "20:8E:8E:C0:DD:0D:54";
    CHECK_INT(vs_thumbprint_normalize(tp, out, &err), NL_OK);
    CHECK_STR(out, "76d375c8f6ee66dcabca9d51ee6bc885a4d827dd5a70c9a5b8208e8ec0dd0d54");
    CHECK_INT(vs_thumbprint_normalize(
                  "76d375c8f6ee66dcabca9d51ee6bc885a4d827dd5a70c9a5b8208e8ec0dd0d54", out, &err),
              NL_OK);
    char fmt[96];
    vs_thumbprint_format(out, fmt);
    CHECK_STR(fmt, tp);
    CHECK_INT(vs_thumbprint_normalize("76:D3", out, &err), NL_ERR_USAGE);
    CHECK(strstr(err.message, "\"76:D3\"") != NULL);
    memset(&err, 0, sizeof err);
    /* SHA-1 (40 digits) is not accepted: it would never match. */
    CHECK_INT(vs_thumbprint_normalize("AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01",
                                      out, &err),
              NL_ERR_USAGE);
    memset(&err, 0, sizeof err);
    CHECK_INT(vs_thumbprint_normalize("zz:D3:75:C8:F6:EE:66:DC:AB:CA:9D:51:EE:6B:C8:85:A4:D8:27:DD:"
                                      "5A:70:C9:A5:B8:20:8E:8E:C0:DD:0D:54",
                                      out, &err),
              NL_ERR_USAGE);
}

static void test_config(void)
{
    struct nl_err err = {0};
    struct vs_config c = {.url = "ftp://x/sdk", .user = "u", .password = "p"};
    CHECK(vs_client_new(&c, &err) == NULL);
    CHECK_INT(err.code, NL_ERR_USAGE);
    memset(&err, 0, sizeof err);
    c.url = "https://127.0.0.1:1/sdk";
    c.thumbprint = "nope";
    CHECK(vs_client_new(&c, &err) == NULL);
    CHECK_INT(err.code, NL_ERR_USAGE);
    memset(&err, 0, sizeof err);
    c.thumbprint = NULL;
    struct vs_client *cl = vs_client_new(&c, &err);
    CHECK(cl != NULL);
    /* Nothing listens on port 1: a connection error, not a crash or a hang. */
    CHECK_INT(vs_client_connect(cl, &err), NL_ERR_CONNECT);
    CHECK(strstr(err.message, "\"https://127.0.0.1:1/sdk\"") != NULL);
    vs_client_free(&cl);
    CHECK(cl == NULL);
}

int main(void)
{
    test_faults();
    test_bad_bodies();
    test_service_content();
    test_stream();
    test_stream_indented();
    test_stream_huge_reply();
    test_doctype_refused();
    test_envelope();
    test_thumbprint();
    test_config();
    return nl_check_done();
}
