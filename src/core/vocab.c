#include "core/vocab.h"

#include <string.h>
#include <strings.h>

static const struct {
    const char *value, *label;
} sources[] = {
#define WF_X(e, v, l) {v, l},
    WF_SOURCE_TABLE(WF_X)
#undef WF_X
};

static const struct {
    const char *code, *desc;
} channels[] = {
#define WF_X(e, c, d) {c, d},
    WF_CHANNEL_TABLE(WF_X)
#undef WF_X
};

static const struct {
    const char *code, *cls;
} sourcetypes[] = {
#define WF_X(e, c, k) {c, k},
    WF_SOURCETYPE_TABLE(WF_X)
#undef WF_X
};

static const struct {
    const char *id, *name, *tag, *statement;
} rules[] = {
#define WF_X(e, id, n, t, d) {id, n, t, d},
    WF_RULE_TABLE(WF_X)
#undef WF_X
};

wf_source wf_source_from_name(const char *value)
{
    if (!value || !*value) return SRC_NONE;
    for (int i = 0; i < SRC_COUNT; i++)
        if (strcmp(sources[i].value, value) == 0) return (wf_source)i;
    return SRC_UNKNOWN;
}

const char *wf_source_name(wf_source s)
{
    return (s >= 0 && s < SRC_COUNT) ? sources[s].value : NULL;
}

const char *wf_source_label(wf_source s)
{
    if (s == SRC_NONE) return "(not computed)";
    return (s >= 0 && s < SRC_COUNT) ? sources[s].label : "unknown value";
}

const char *wf_source_label_of(const char *value)
{
    wf_source s = wf_source_from_name(value);
    return s == SRC_UNKNOWN ? value : wf_source_label(s);
}

wf_channel wf_channel_from_code(const char *code)
{
    if (!code || !*code) return CH_NONE;
    for (int i = 0; i < CH_COUNT; i++)
        if (strcmp(channels[i].code, code) == 0) return (wf_channel)i;
    return CH_UNKNOWN;
}

const char *wf_channel_code(wf_channel c)
{
    return (c >= 0 && c < CH_COUNT) ? channels[c].code : NULL;
}

const char *wf_channel_description(wf_channel c)
{
    if (c == CH_NONE) return "no creation channel recorded";
    return (c >= 0 && c < CH_COUNT) ? channels[c].desc : "unrecognised channel";
}

wf_sourcetype wf_sourcetype_from_code(const char *code)
{
    if (!code || !*code) return ST_NONE;
    for (int i = 0; i < ST_COUNT; i++)
        if (strcmp(sourcetypes[i].code, code) == 0) return (wf_sourcetype)i;
    return ST_UNKNOWN;
}

const char *wf_sourcetype_code(wf_sourcetype t)
{
    return (t >= 0 && t < ST_COUNT) ? sourcetypes[t].code : NULL;
}

const char *wf_sourcetype_class(wf_sourcetype t)
{
    return (t >= 0 && t < ST_COUNT) ? sourcetypes[t].cls : "other";
}

wf_rule wf_rule_from_id(const char *id)
{
    if (!id) return R_NONE;
    for (int i = 0; i < R_COUNT; i++)
        if (strcasecmp(rules[i].id, id) == 0) return (wf_rule)i;
    return R_NONE;
}

#define RULE_FIELD(fn, field)                                                     \
    const char *fn(wf_rule r)                                                     \
    {                                                                             \
        return (r >= 0 && r < R_COUNT) ? rules[r].field : "";                     \
    }
RULE_FIELD(wf_rule_id, id)
RULE_FIELD(wf_rule_name, name)
RULE_FIELD(wf_rule_tag, tag)
RULE_FIELD(wf_rule_statement, statement)

int wf_rule_is_assumed(wf_rule r)
{
    return r >= 0 && r < R_COUNT && strcmp(rules[r].tag, "ours") == 0;
}

static const struct {
    unsigned bit;
    const char *name;
} flags[] = {
#define WF_X(e, bit, n, g) {1u << bit, n},
    WF_FLAG_TABLE(WF_X)
#undef WF_X
};

const char *wf_flag_name(unsigned flag)
{
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
        if (flags[i].bit == flag) return flags[i].name;
    return NULL;
}

unsigned wf_flag_from_name(const char *name)
{
    for (size_t i = 0; name && i < sizeof flags / sizeof flags[0]; i++)
        if (strcmp(flags[i].name, name) == 0) return flags[i].bit;
    return 0;
}
