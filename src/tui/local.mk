# src/tui: the inspector; the only code that includes <curses.h>
libwherefrom_a_SOURCES += \
	src/tui/tui.c src/tui/tui.h src/tui/app.h src/tui/keys.h \
	src/tui/app.c src/tui/cmd.c src/tui/detail.c src/tui/dialog.c src/tui/draw.c \
	src/tui/headless.c src/tui/help.c src/tui/list.c src/tui/prompt.c src/tui/screen.c \
	src/tui/term.c
