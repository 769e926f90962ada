package cmdline

import (
	"fmt"
	"strings"
)

// MaxLen bounds the encoded command line. The kernel reads at most 64 KiB
// (pvh.MaxCmdline); the rest is left for words the hypervisor appends.
const MaxLen = 60 << 10

// Encode builds the command line for kernel parameters params (words as
// the user wrote them, separated by ASCII white space as the kernel reads
// them), program arguments args and environment env (NAME=VALUE each).
// params go through unchanged, coracle.arg and coracle.env words
// included: the kernel checks the whole line when it boots.
func Encode(params string, args, env []string) (string, error) {
	for i := 0; i < len(params); i++ {
		if c := params[i]; c < 0x20 && !isSpace(c) || c == 0x7f {
			return "", fmt.Errorf("kernel parameters %q: byte %#02x at offset %d is a control character; pass such values as program arguments (after --) or with -e", params, c, i)
		}
	}
	var b strings.Builder
	sc := NewScanner(params)
	for w, ok := sc.Next(); ok; w, ok = sc.Next() {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		end := w.Offset + len(w.Key)
		if w.HasValue {
			end += 1 + len(w.Value)
		}
		b.WriteString(params[w.Offset:end])
	}
	for _, e := range env {
		name, _, ok := strings.Cut(e, "=")
		if !ok || name == "" {
			return "", fmt.Errorf("environment entry %q: want NAME=VALUE with a non-empty NAME", e)
		}
		word(&b, EnvKey, e)
	}
	for _, a := range args {
		word(&b, ArgKey, a)
	}
	if b.Len() > MaxLen {
		return "", fmt.Errorf("kernel command line is %d bytes encoded; the limit is %d: pass less data in arguments and environment", b.Len(), MaxLen)
	}
	return b.String(), nil
}

func word(b *strings.Builder, key, value string) {
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
	b.WriteString(key)
	b.WriteByte('=')
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(value); i++ {
		c := value[i]
		if literal(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
}

func literal(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~/:,=+@", c) >= 0
}

// Argv0Key names the program's os.Args[0]; its value is percent-encoded
// like the others.
const Argv0Key = "coracle.argv0"

// WorkDirKey names the program's working directory at start (an
// absolute path, percent-encoded as coracle.arg values are); without it
// the program starts in /.
const WorkDirKey = "coracle.cwd"

// Argv0Word returns the command-line word that sets os.Args[0] to name.
func Argv0Word(name string) string {
	return EncodeWord(Argv0Key, name)
}

// EncodeWord returns the command-line word key=value, value percent-encoded
// as coracle.arg values are.
func EncodeWord(key, value string) string {
	var b strings.Builder
	word(&b, key, value)
	return b.String()
}
