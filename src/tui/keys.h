/* The inspector's key table: ONE list that generates the key handling, the
 * help screen and the KEYS section of the man page (tests/test_tui_keys.c
 * fails when the man page is stale). Every key runs a named command, so a
 * key, the `:` prompt and a --script line all go through one dispatcher. */
#ifndef WF_TUI_KEYS_H
#define WF_TUI_KEYS_H

/* Control keys, as curses reports them. */
#define WF_CTRL(c) ((c)&0x1f)

/* X(label shown in help and man, command it runs, what it does,
 *   key codes... (up to 3, 0 = none)). Key codes use curses KEY_* names. */
#define WF_KEY_TABLE(X)                                                                            \
    X("j, Down", "down", "move down one row (or one line in a detail tab)", 'j', KEY_DOWN, 0)      \
    X("k, Up", "up", "move up one row", 'k', KEY_UP, 0)                                            \
    X("PgDn, Ctrl-F, Space", "page-down", "move down one page", KEY_NPAGE, WF_CTRL('f'), ' ')      \
    X("PgUp, Ctrl-B", "page-up", "move up one page", KEY_PPAGE, WF_CTRL('b'), 0)                   \
    X("g, Home", "first", "go to the first row", 'g', KEY_HOME, 0)                                 \
    X("G, End", "last", "go to the last row", 'G', KEY_END, 0)                                     \
    X("Enter", "enter",                                                                            \
      "open the selected contact; on a Why step, jump to its evidence in the timeline", '\n',      \
      '\r', KEY_ENTER)                                                                             \
    X("Tab", "tab next", "next detail tab", '\t', 0, 0)                                            \
    X("1", "tab overview", "Overview tab: creation, sources, counters", '1', 0, 0)                 \
    X("2", "tab timeline", "Timeline tab: sessions, forms, clicks, links, changes", '2', 0, 0)     \
    X("3", "tab why", "Why tab: the numbered steps that decided the source", '3', 0, 0)            \
    X("4", "tab history", "History tab: every stored change and its cause", '4', 0, 0)             \
    X("/", "prompt search", "search as you type: id, or email/name/company prefix", '/', 0, 0)     \
    X("n", "search-next", "next search match", 'n', 0, 0)                                          \
    X("N", "search-prev", "previous search match", 'N', 0, 0)                                      \
    X("f", "prompt filter", "filter: source=VALUE channel=CODE marker=NAME created=FROM..TO", 'f', \
      0, 0)                                                                                        \
    X("x", "clear", "clear the filter and the search", 'x', 0, 0)                                  \
    X("s", "sort next", "sort by the next key: created, id, source", 's', 0, 0)                    \
    X("r", "reload", "reload rows and the open contact from the database", 'r', 0, 0)              \
    X("O", "override", "override the original source of the contact (asks first)", 'O', 0, 0)      \
    X("U", "revert", "revert the contact's active override (asks first)", 'U', 0, 0)               \
    X(":", "prompt command", "command prompt (Up/Down: history)", ':', 0, 0)                       \
    X("?, F1", "help", "this help", '?', KEY_F(1), 0)                                              \
    X("Ctrl-L", "redraw", "redraw the screen", WF_CTRL('l'), 0, 0)                                 \
    X("q, Esc", "back", "close the help or the detail; on the list, quit", 'q', 27, 0)             \
    X("Q", "quit", "quit", 'Q', 0, 0)

/* Named commands: X(name, handler, arguments, what it does) — the one list
 * behind the dispatcher (src/tui/cmd.c, where the handlers live) and the
 * help screen. The key table above refers to these by name. */
#define WF_COMMAND_LIST(X)                                                                         \
    X("down", cmd_down, "", "move down")                                                           \
    X("up", cmd_up, "", "move up")                                                                 \
    X("page-down", cmd_page_down, "", "one page down")                                             \
    X("page-up", cmd_page_up, "", "one page up")                                                   \
    X("first", cmd_first, "", "first row")                                                         \
    X("last", cmd_last, "", "last row")                                                            \
    X("enter", cmd_enter, "", "open the selection / jump to evidence")                             \
    X("open", cmd_open, "CONTACT", "open a contact by id or email")                                \
    X("select", cmd_select, "CONTACT", "move the list selection to a contact")                     \
    X("tab", cmd_tab, "overview|timeline|why|history|next|prev", "switch the detail tab")          \
    X("search", cmd_search, "TEXT", "find the next contact matching TEXT")                         \
    X("search-next", cmd_search_next, "", "next match")                                            \
    X("search-prev", cmd_search_prev, "", "previous match")                                        \
    X("filter", cmd_filter, "TERMS", "filter the list (no terms: clear)")                          \
    X("clear", cmd_clear, "", "clear filter and search")                                           \
    X("sort", cmd_sort, "created|id|source|next", "sort the list")                                 \
    X("reload", cmd_reload, "", "reload from the database")                                        \
    X("override", cmd_override, "", "open the override dialog")                                    \
    X("revert", cmd_revert, "[REASON]", "revert the active override")                              \
    X("undo", cmd_undo, "", "undo the last override made in this session")                         \
    X("prompt", cmd_prompt, "search|filter|command", "open a prompt")                              \
    X("help", cmd_help, "", "show help")                                                           \
    X("redraw", cmd_redraw, "", "redraw")                                                          \
    X("back", cmd_back, "", "close the top view")                                                  \
    X("quit", cmd_quit, "", "quit")                                                                \
    X("q", cmd_quit, "", "quit (as :quit)")                                                        \
    X("keys", cmd_keys, "KEYS", "type keys (<Enter> <Esc> <Tab> <Down> <Up> <BS> <C-u>)")          \
    X("click", cmd_click, "COL ROW", "a mouse click at a screen cell (0-based)")                   \
    X("resize", cmd_resize, "COLSxROWS", "resize the screen (headless mode)")                      \
    X("dump-screen", cmd_dump, "PATH|-", "write the screen as text")

#endif
