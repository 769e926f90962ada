package main

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// linePrefix starts the lines of crashprobe's that the driver reads
// (tools/bench/crashprobe).
const linePrefix = "crash:"

// ledger is what the guest has acknowledged over all boots so far: the
// state the disk must show at the next boot, whatever moment the kill
// came at.
type ledger struct {
	logs    map[string]int // records of each log acked (or found) so far
	present map[int]bool   // r-N files the disk holds: acked creates, and those found
	acked   map[int]bool   // r-N files whose create was acked and delete was not
	deleted map[int]bool   // r-N files whose delete was acked
	// deleting are r-N files whose delete began in the last boot but
	// was not acked: they may be gone.
	deleting map[int]bool
	acks     int // acks over all boots
}

func newLedger() *ledger {
	return &ledger{logs: map[string]int{}, present: map[int]bool{}, acked: map[int]bool{}, deleted: map[int]bool{}, deleting: map[int]bool{}}
}

// boot follows one boot's lines: first the guest's report of what the
// disk holds, checked against the ledger (an error is data lost or
// damaged), then its acks, which the ledger takes in. It is fed one line
// at a time; verified tells whether the report is over.
type boot struct {
	l        *ledger
	seenLogs map[string]bool
	seenFile map[int]bool
	verified bool
	acks     int // acks in this boot
}

func (l *ledger) newBoot() *boot {
	return &boot{l: l, seenLogs: map[string]bool{}, seenFile: map[int]bool{}}
}

// line takes one console line; lines without the prefix are ignored. It
// returns an error for a loss, a damaged file, an ack out of order, or a
// guest error.
func (b *boot) line(line string) error {
	rest, ok := strings.CutPrefix(strings.TrimSpace(line), linePrefix)
	if !ok {
		return nil
	}
	f := strings.Fields(rest)
	if len(f) == 0 {
		return fmt.Errorf("empty %s line", linePrefix)
	}
	l := b.l
	switch {
	case f[0] == "error":
		return fmt.Errorf("the guest failed: %s", strings.TrimSpace(strings.TrimPrefix(rest, " error")))
	case f[0] == "have" && len(f) == 3 && !b.verified:
		n, err := strconv.Atoi(f[2])
		if err != nil {
			return fmt.Errorf("bad line %q", line)
		}
		acked := l.logs[f[1]]
		switch {
		case n < acked:
			return fmt.Errorf("%s: %d intact records, but %d were acknowledged: records %d to %d lost or damaged", f[1], n, acked, n, acked-1)
		case n > acked+1:
			return fmt.Errorf("%s: %d intact records, but only %d were acknowledged and one append at a time is in flight", f[1], n, acked)
		}
		l.logs[f[1]] = n
		b.seenLogs[f[1]] = true
	case f[0] == "file" && len(f) == 3 && !b.verified:
		n, err := fileNumber(f[1])
		if err != nil {
			return err
		}
		if f[2] != "ok" {
			return fmt.Errorf("%s is damaged: it was renamed into place only after its content was fsynced", f[1])
		}
		if l.deleted[n] {
			return fmt.Errorf("%s is back: its delete was acknowledged", f[1])
		}
		b.seenFile[n] = true
	case f[0] == "verified" && !b.verified:
		for name := range l.logs {
			if !b.seenLogs[name] {
				return fmt.Errorf("%s is gone: %d of its records were acknowledged", name, l.logs[name])
			}
		}
		var missing []string
		for n := range l.acked {
			switch {
			case b.seenFile[n]:
			case l.deleting[n]:
				delete(l.acked, n) // its delete was done, not acked
			default:
				missing = append(missing, fmt.Sprintf("r-%d", n))
			}
		}
		if len(missing) > 0 {
			sort.Strings(missing)
			return fmt.Errorf("acknowledged files missing: %s", strings.Join(missing, ", "))
		}
		l.present = b.seenFile
		l.deleting = map[int]bool{}
		b.verified = true
	case f[0] == "ack" && b.verified:
		if err := b.ack(f[1:]); err != nil {
			return fmt.Errorf("%w (line %q)", err, line)
		}
		b.acks++
		l.acks++
	case f[0] == "intent" && len(f) == 3 && f[1] == "delete" && b.verified:
		n, err := fileNumber(f[2])
		if err != nil {
			return err
		}
		l.deleting[n] = true
	case f[0] == "done":
	default:
		return fmt.Errorf("unexpected line %q", line)
	}
	return nil
}

// ack takes one ack's words: append LOG N, create r-N, delete r-N.
func (b *boot) ack(f []string) error {
	l := b.l
	switch {
	case len(f) == 3 && f[0] == "append":
		n, err := strconv.Atoi(f[2])
		if err != nil || n != l.logs[f[1]] {
			return fmt.Errorf("append of record %s to %s, expected record %d", f[2], f[1], l.logs[f[1]])
		}
		l.logs[f[1]] = n + 1
	case len(f) == 2 && f[0] == "create":
		n, err := fileNumber(f[1])
		if err != nil {
			return err
		}
		l.present[n], l.acked[n] = true, true
		delete(l.deleted, n)
	case len(f) == 2 && f[0] == "delete":
		n, err := fileNumber(f[1])
		if err != nil {
			return err
		}
		delete(l.present, n)
		delete(l.acked, n)
		delete(l.deleting, n)
		l.deleted[n] = true
	default:
		return fmt.Errorf("unknown ack")
	}
	return nil
}

// fileNumber reads N out of "r-N".
func fileNumber(name string) (int, error) {
	digits, ok := strings.CutPrefix(name, "r-")
	n, err := strconv.Atoi(digits)
	if !ok || err != nil || n < 0 {
		return 0, fmt.Errorf("bad file name %q", name)
	}
	return n, nil
}
