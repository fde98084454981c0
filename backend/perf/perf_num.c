#include "backend/perf/perf_num.h"

#include <math.h>

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool perf_num_parse(const char *s, size_t len, double *out)
{
    size_t i = 0, end = len;
    while (i < end && is_space(s[i]))
        i++;
    while (end > i && is_space(s[end - 1]))
        end--;
    if (i == end)
        return false;
    double sign = 1;
    if (s[i] == '+' || s[i] == '-') {
        sign = s[i] == '-' ? -1 : 1;
        i++;
    }
    double mant = 0;
    int scale = 0; /* decimal exponent adjustment */
    size_t ndig = 0;
    for (; i < end && s[i] >= '0' && s[i] <= '9'; i++, ndig++) {
        if (mant < 1e17)
            mant = mant * 10 + (s[i] - '0');
        else
            scale++; /* digits beyond double precision only shift the magnitude */
    }
    if (i < end && s[i] == '.') {
        i++;
        for (; i < end && s[i] >= '0' && s[i] <= '9'; i++, ndig++) {
            if (mant < 1e17) {
                mant = mant * 10 + (s[i] - '0');
                scale--;
            }
        }
    }
    if (ndig == 0)
        return false;
    if (i < end && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        int esign = 1, e = 0;
        size_t edig = 0;
        if (i < end && (s[i] == '+' || s[i] == '-')) {
            esign = s[i] == '-' ? -1 : 1;
            i++;
        }
        for (; i < end && s[i] >= '0' && s[i] <= '9'; i++, edig++)
            if (e < 10000)
                e = e * 10 + (s[i] - '0');
        if (edig == 0)
            return false;
        scale += esign * e;
    }
    if (i != end)
        return false;
    /* Dividing by an exact power of ten rounds better than multiplying by 10^-n. */
    double v = scale < 0 ? sign * mant / pow(10.0, -scale) : sign * mant * pow(10.0, scale);
    if (!isfinite(v))
        return false;
    *out = v;
    return true;
}
