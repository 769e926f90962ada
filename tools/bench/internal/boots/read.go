package boots

import (
	"context"

	"github.com/coracle-os/coracle/tools/bench/internal/guestrun"
)

// Read boots a guest once (guestrun.Run of spec until its last line)
// and reads its sample: parse turns the console into a sample, check
// says what is wrong with it (an error the guest reported, a figure it
// left out). The result of boot number boot carries the first error.
func Read[S any](ctx context.Context, boot int, spec guestrun.Boot, until guestrun.Until,
	parse func(console string) (S, error), check func(S) error) Result[S] {
	r := Result[S]{Boot: boot}
	text, err := guestrun.Run(ctx, spec, until)
	if err == nil {
		r.Sample, err = parse(text)
	}
	if err == nil {
		err = check(r.Sample)
	}
	r.Err = err
	return r
}
