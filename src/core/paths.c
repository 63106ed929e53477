#include "core/paths.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef PKGDATADIR
#define PKGDATADIR "/usr/local/share/wherefrom"
#endif
#ifndef ABS_SRCDIR
#define ABS_SRCDIR "."
#endif

static int try_path(const char *dir, const char *sub, const char *name, char *out, size_t outsz)
{
    if (!dir || !*dir) return 0;
    int n = snprintf(out, outsz, "%s%s/%s", dir, sub, name);
    if (n < 0 || (size_t)n >= outsz) return 0;
    return access(out, R_OK) == 0;
}

wf_status wf_data_path(const char *name, char *out, size_t outsz)
{
    if (try_path(getenv("WHEREFROM_DATADIR"), "", name, out, outsz)) return WF_OK;
    if (try_path(PKGDATADIR, "", name, out, outsz)) return WF_OK;
    if (try_path(ABS_SRCDIR, "/data", name, out, outsz)) return WF_OK;
    return WF_E_NOINPUT;
}

static int mkdir_p(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        int r = mkdir(path, 0700);
        *p = '/';
        if (r && errno != EEXIST) return -1;
    }
    return (mkdir(path, 0700) && errno != EEXIST) ? -1 : 0;
}

wf_status wf_default_db_path(char *out, size_t outsz)
{
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    char dir[4096];
    int n;
    if (xdg && *xdg == '/')
        n = snprintf(dir, sizeof dir, "%s/wherefrom", xdg);
    else if (home && *home)
        n = snprintf(dir, sizeof dir, "%s/.local/share/wherefrom", home);
    else
        return WF_E_IO;
    if (n < 0 || (size_t)n >= sizeof dir) return WF_E_IO;
    if (mkdir_p(dir)) return WF_E_IO;
    n = snprintf(out, outsz, "%s/contacts.db", dir);
    return (n < 0 || (size_t)n >= outsz) ? WF_E_IO : WF_OK;
}
