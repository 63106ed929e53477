#include "core/status.h"

static const struct {
    const char *name;
    int code;
    const char *msg;
} status_info[] = {
#define WF_X(name, code, msg) {#name, code, msg},
    WF_STATUS_TABLE(WF_X)
#undef WF_X
};

const char *wf_status_name(wf_status s)
{
    return (unsigned)s < WF_STATUS_COUNT ? status_info[s].name : "WF_E_UNKNOWN";
}

const char *wf_status_message(wf_status s)
{
    return (unsigned)s < WF_STATUS_COUNT ? status_info[s].msg : "unknown status";
}

int wf_status_exit_code(wf_status s)
{
    return (unsigned)s < WF_STATUS_COUNT ? status_info[s].code : 70;
}
