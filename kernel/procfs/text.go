package procfs

// Text is a bounded text buffer: it writes into B from N on and drops
// what does not fit, unlike append, which would grow the slice and so
// allocate. Callers that stream a long file leave Room for a record
// before writing it and flush B[:N] when there is too little.
type Text struct {
	B []byte
	N int
}

// Room is how many bytes fit still.
func (t *Text) Room() int { return len(t.B) - t.N }

// Reset empties the buffer.
func (t *Text) Reset() { t.N = 0 }

// Bytes returns what was written.
func (t *Text) Bytes() []byte { return t.B[:t.N] }

// Str writes s.
func (t *Text) Str(s string) { t.N += copy(t.B[t.N:], s) }

// Write writes b.
func (t *Text) Write(b []byte) { t.N += copy(t.B[t.N:], b) }

// Byte writes c.
func (t *Text) Byte(c byte) {
	if t.N < len(t.B) {
		t.B[t.N] = c
		t.N++
	}
}

// Pad writes c until the buffer holds n bytes past start: seq_file's
// seq_pad, which aligns the names of /proc/PID/maps.
func (t *Text) Pad(start, n int, c byte) {
	for t.N-start < n && t.N < len(t.B) {
		t.Byte(c)
	}
}

// Dec writes v in decimal ("%lu").
func (t *Text) Dec(v uint64) { t.DecPad(v, 0) }

// Int writes v in decimal ("%ld").
func (t *Text) Int(v int64) {
	if v < 0 {
		t.Byte('-')
		t.Dec(uint64(-v))
		return
	}
	t.Dec(uint64(v))
}

// DecPad writes v in decimal right-aligned in width columns ("%*lu").
func (t *Text) DecPad(v uint64, width int) {
	var d [20]byte
	i := len(d)
	for {
		i--
		d[i] = '0' + byte(v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	for pad := width - (len(d) - i); pad > 0; pad-- {
		t.Byte(' ')
	}
	t.Write(d[i:])
}

// Hex writes v in lower-case hexadecimal with at least digits digits,
// zero-padded ("%0*lx").
func (t *Text) Hex(v uint64, digits int) {
	var d [16]byte
	i := len(d)
	for {
		i--
		d[i] = "0123456789abcdef"[v&0xf]
		v >>= 4
		if v == 0 {
			break
		}
	}
	for pad := digits - (len(d) - i); pad > 0; pad-- {
		t.Byte('0')
	}
	t.Write(d[i:])
}

// Oct writes v in octal with at least digits digits ("%0*o").
func (t *Text) Oct(v uint64, digits int) {
	var d [22]byte
	i := len(d)
	for {
		i--
		d[i] = '0' + byte(v&7)
		v >>= 3
		if v == 0 {
			break
		}
	}
	for pad := digits - (len(d) - i); pad > 0; pad-- {
		t.Byte('0')
	}
	t.Write(d[i:])
}
