package jbd2

import "slices"

// logWriter gathers block writes that may reach the disk in any order
// (those between two FLUSHes) and issues them as few WriteAt calls as
// the device block numbers allow: one per run of consecutive blocks.
type logWriter struct {
	writes []blockWrite
}

type blockWrite struct {
	block uint64
	data  []byte
}

func (w *logWriter) add(block uint64, data []byte) {
	w.writes = append(w.writes, blockWrite{block, data})
}

// flushTo writes the gathered blocks to dev; a block added twice is
// written with its last contents.
func (w *logWriter) flushTo(dev Device, bs int) error {
	slices.SortStableFunc(w.writes, func(a, b blockWrite) int {
		switch {
		case a.block < b.block:
			return -1
		case a.block > b.block:
			return 1
		}
		return 0
	})
	ws := w.writes
	for i := 0; i < len(ws); {
		// Drop earlier writes of the same block.
		for i+1 < len(ws) && ws[i+1].block == ws[i].block {
			i++
		}
		run := []blockWrite{ws[i]}
		k := i + 1
		for k < len(ws) {
			for k+1 < len(ws) && ws[k+1].block == ws[k].block {
				k++
			}
			if ws[k].block != run[len(run)-1].block+1 {
				break
			}
			run = append(run, ws[k])
			k++
		}
		var buf []byte
		if len(run) == 1 {
			buf = run[0].data
		} else {
			buf = make([]byte, 0, len(run)*bs)
			for _, r := range run {
				buf = append(buf, r.data...)
			}
		}
		if _, err := dev.WriteAt(buf, int64(run[0].block)*int64(bs)); err != nil {
			return err
		}
		i = k
	}
	w.writes = nil
	return nil
}
