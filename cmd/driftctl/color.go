package main

// colorAllowed reports whether output may be coloured at all (a terminal
// is needed as well): not with --no-color, with NO_COLOR set to anything
// (https://no-color.org), or on a terminal that says it is dumb (TERM=dumb:
// Emacs shells, some CI consoles), which prints escape codes as they are.
func colorAllowed(noColor bool, getenv func(string) string) bool {
	return !noColor && getenv("NO_COLOR") == "" && getenv("TERM") != "dumb"
}

// redrawAllowed reports whether a terminal line may be redrawn in place
// (carriage return and erase-line escapes): not on a dumb terminal.
func redrawAllowed(getenv func(string) string) bool {
	return getenv("TERM") != "dumb"
}
