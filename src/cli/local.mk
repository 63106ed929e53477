# src/cli: subcommands (everything but tui)
libwherefrom_a_SOURCES += \
	src/cli/cli.h src/cli/commands.h \
	src/cli/common.c
libwherefrom_a_SOURCES += src/cli/export.c src/cli/override.c src/cli/history.c src/cli/audit.c
