package resultlines

import (
	"fmt"
	"io"
	"os"
)

// Printer prints a guest program's lines.
type Printer struct {
	Prefix string
	Out    io.Writer // nil for standard output, the console
}

// Printf prints one line: the prefix, a space, then format with args.
func (p Printer) Printf(format string, args ...any) {
	out := p.Out
	if out == nil {
		out = os.Stdout
	}
	fmt.Fprintf(out, "%s "+format+"\n", append([]any{p.Prefix}, args...)...)
}

// Fail prints the error line for err in the measurement op and exits
// with status 1.
func (p Printer) Fail(op string, err error) {
	p.Printf("error op=%s: %v", op, err)
	os.Exit(1)
}

// Done prints the done line: every measurement is reported.
func (p Printer) Done() {
	p.Printf("done")
}
