#ifndef WF_STORE_SCHEMA_H
#define WF_STORE_SCHEMA_H

/* The newest schema version this build knows. */
int wf_schema_version(void);
/* SQL that brings a database from version to_version-1 to to_version. */
const char *wf_schema_migration(int to_version);

#endif
