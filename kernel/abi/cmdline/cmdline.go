// Package cmdline defines coracle's kernel command line: how `coracle run`
// passes the program's arguments and environment through the hypervisor's
// single command-line string, and how the kernel reads them back.
//
// The command line is a sequence of words separated by spaces. A word is
// either a kernel parameter, key or key=value, passed as the user wrote it
// (`coracle run --cmdline`), or one of coracle's two encoded words:
//
//	coracle.arg=VALUE   the next program argument (os.Args[1:], in order)
//	coracle.env=K=V     one environment variable
//
// VALUE and K=V are percent-encoded: every byte outside A-Z a-z 0-9 and
// - . _ ~ / : , = + @ becomes %XX (upper-case hex), so spaces, quotes,
// newlines and any byte value survive every hypervisor's command-line
// handling unchanged. Hypervisors may append their own words (QEMU microvm
// adds virtio_mmio.device=...); words are independent, so they do no harm.
//
// Trap context: none. The decoding side (Scanner, Decode, Check) runs
// before the Go runtime exists, so it does not allocate; Encode is for the
// host.
package cmdline

// Keys of coracle's encoded words.
const (
	ArgKey = "coracle.arg"
	EnvKey = "coracle.env"
)

// Word is one word of the command line split at its first '='.
type Word struct {
	Key      string
	Value    string // still encoded for coracle.arg and coracle.env
	HasValue bool
	Offset   int // byte offset of the word in the command line
}

// Scanner walks the words of a command line.
type Scanner struct {
	s   string
	pos int
}

// NewScanner returns a Scanner over s.
func NewScanner(s string) Scanner { return Scanner{s: s} }

// Next returns the next word, or ok=false at the end.
func (sc *Scanner) Next() (w Word, ok bool) {
	s := sc.s
	i := sc.pos
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	if i == len(s) {
		sc.pos = i
		return Word{}, false
	}
	j := i
	for j < len(s) && !isSpace(s[j]) {
		j++
	}
	sc.pos = j
	word := s[i:j]
	w = Word{Key: word, Offset: i}
	for k := 0; k < len(word); k++ {
		if word[k] == '=' {
			w.Key, w.Value, w.HasValue = word[:k], word[k+1:], true
			break
		}
	}
	return w, true
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// Problem says what is wrong with a command line and where.
type Problem struct {
	Offset int    // byte offset into the command line
	Reason string // a constant: no allocation
}

// Check validates the encoded words of s: their percent escapes and the
// shape of environment entries. Kernel parameters are not checked here;
// their owners do that.
func Check(s string) (Problem, bool) {
	sc := NewScanner(s)
	for {
		w, ok := sc.Next()
		if !ok {
			return Problem{}, true
		}
		if w.Key != ArgKey && w.Key != EnvKey && w.Key != Argv0Key {
			continue
		}
		if !w.HasValue {
			return Problem{w.Offset, "coracle.arg and coracle.env need a value (coracle.arg=VALUE)"}, false
		}
		valueOff := w.Offset + len(w.Key) + 1
		if off, reason := checkEscapes(w.Value); reason != "" {
			return Problem{valueOff + off, reason}, false
		}
		if w.Key == EnvKey && !validEnv(w.Value) {
			return Problem{valueOff, "coracle.env value must be NAME=VALUE with a non-empty NAME"}, false
		}
	}
}

func checkEscapes(v string) (int, string) {
	for i := 0; i < len(v); i++ {
		if v[i] != '%' {
			continue
		}
		if i+2 >= len(v) || unhex(v[i+1]) < 0 || unhex(v[i+2]) < 0 {
			return i, "percent escape needs two hex digits (%XX)"
		}
		i += 2
	}
	return 0, ""
}

// validEnv reports whether encoded v decodes to NAME=VALUE with a
// non-empty NAME. Encode never escapes '=', so the first literal '='
// splits; an escaped one (%3D) before it would hide the split.
func validEnv(v string) bool {
	for i := 0; i < len(v); i++ {
		switch {
		case v[i] == '=':
			return i > 0
		case v[i] == '%' && i+2 < len(v) && v[i+1] == '3' && (v[i+2] == 'D' || v[i+2] == 'd'):
			return false
		}
	}
	return false
}

// DecodedLen is the length of v once decoded. v must have passed Check.
func DecodedLen(v string) int {
	n := 0
	for i := 0; i < len(v); i++ {
		if v[i] == '%' {
			i += 2
		}
		n++
	}
	return n
}

// Decode writes the decoded form of v into dst, which must hold
// DecodedLen(v) bytes, and returns the number of bytes written. v must
// have passed Check.
func Decode(dst []byte, v string) int {
	n := 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == '%' {
			c = byte(unhex(v[i+1])<<4 | unhex(v[i+2]))
			i += 2
		}
		dst[n] = c
		n++
	}
	return n
}

func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// Has reports whether the command line s has a word with key (with or
// without a value), such as a flag like coracle.strace.
func Has(s, key string) bool {
	sc := NewScanner(s)
	for {
		w, ok := sc.Next()
		if !ok {
			return false
		}
		if w.Key == key {
			return true
		}
	}
}

// EnvNames reports whether encoded v, a coracle.env value that passed
// Check, sets the variable name: whether its decoded text up to the first
// '=' is name. It decodes as it compares, so it needs no buffer.
func EnvNames(v, name string) bool {
	n := 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == '=' {
			return n == len(name)
		}
		if c == '%' {
			c = byte(unhex(v[i+1])<<4 | unhex(v[i+2]))
			i += 2
		}
		if n == len(name) || name[n] != c {
			return false
		}
		n++
	}
	return false
}

// ValidEscapes reports whether every '%' in v starts a two-digit hex
// escape: what Decode needs of a value Check did not see (words of keys
// other than coracle.arg, coracle.env and coracle.argv0).
func ValidEscapes(v string) bool {
	_, reason := checkEscapes(v)
	return reason == ""
}
