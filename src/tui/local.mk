# src/tui: the inspector; the only code that includes <curses.h>
libwherefrom_a_SOURCES += \
	src/tui/tui.c src/tui/tui.h
