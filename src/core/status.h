/* Status codes: every fallible function returns one; only main() exits. */
#ifndef WF_CORE_STATUS_H
#define WF_CORE_STATUS_H

/* X(name, exit code, message) — exit codes follow sysexits.h. */
#define WF_STATUS_TABLE(X)                                                        \
    X(WF_OK, 0, "success")                                                        \
    X(WF_E_USAGE, 2, "wrong command-line usage")                                  \
    X(WF_E_DATA, 65, "bad input data")                                            \
    X(WF_E_NOINPUT, 66, "input file missing or unreadable")                       \
    X(WF_E_NOTFOUND, 66, "no such contact")                                       \
    X(WF_E_SOFTWARE, 70, "internal error")                                        \
    X(WF_E_NOMEM, 71, "out of memory")                                            \
    X(WF_E_IO, 74, "input/output error")                                          \
    X(WF_E_NOTDB, 65, "not a wherefrom database")                                 \
    X(WF_E_CORRUPT, 65, "database file is corrupt")                               \
    X(WF_E_NEWER, 65, "database was written by a newer wherefrom")                \
    X(WF_E_READONLY, 77, "database is open read-only")                            \
    X(WF_E_BUSY, 75, "database is busy (locked by another process)")              \
    X(WF_E_TERM, 78, "terminal unusable")                                         \
    X(WF_E_FINDINGS, 1, "audit found problems")                                   \
    X(WF_E_SKIPPED, 1, "some records were skipped")

typedef enum {
#define WF_X(name, code, msg) name,
    WF_STATUS_TABLE(WF_X)
#undef WF_X
        WF_STATUS_COUNT
} wf_status;

const char *wf_status_name(wf_status s);
const char *wf_status_message(wf_status s);
int wf_status_exit_code(wf_status s);

#endif
