package cmdline

import (
	"strings"
	"testing"
)

// encodedLen is the length of v once percent-encoded.
func encodedLen(v string) int {
	n := 0
	for i := 0; i < len(v); i++ {
		if literal(v[i]) {
			n++
		} else {
			n += 3
		}
	}
	return n
}

func FuzzRoundTrip(f *testing.F) {
	f.Add("", "")
	f.Add("hello world", "value")
	f.Add("%zz%", "a=b=c")
	f.Add("\x00\xff\n\t\"'", "🙂")
	f.Add(allBytes(), allBytes())
	f.Fuzz(func(t *testing.T, arg, envValue string) {
		args := []string{arg, "", arg}
		env := []string{"K=" + envValue}
		s, err := Encode("quiet console=ttyS0", args, env)
		want := len("quiet console=ttyS0") +
			1 + len(EnvKey) + 1 + encodedLen(env[0]) +
			2*(1+len(ArgKey)+1+encodedLen(arg)) + 1 + len(ArgKey) + 1
		if want > MaxLen {
			if err == nil {
				t.Fatalf("Encode of %d bytes succeeded, over MaxLen", len(s))
			}
			return
		}
		if err != nil {
			t.Fatalf("Encode: %v", err)
		}
		if len(s) != want {
			t.Fatalf("len(Encode) = %d, want %d", len(s), want)
		}
		checkEncodedForm(t, s)
		d := decodeAll(t, s)
		if want := []string{"quiet", "console=ttyS0"}; !equalStrings(d.params, want) {
			t.Fatalf("params = %q, want %q", d.params, want)
		}
		if !equalStrings(d.args, args) {
			t.Fatalf("args = %q, want %q", d.args, args)
		}
		if !equalStrings(d.env, env) {
			t.Fatalf("env = %q, want %q", d.env, env)
		}
	})
}

// FuzzCheck: whatever Check accepts, DecodedLen and Decode handle without
// panicking (they trust Check), and re-encoding the decoded value gives a
// line that decodes to the same bytes.
func FuzzCheck(f *testing.F) {
	f.Add("coracle.arg=%41 coracle.env=A=%20")
	f.Add("coracle.arg=% coracle.arg")
	f.Add("coracle.arg=%4")
	f.Add("coracle.env==x")
	f.Add("quiet coracle.env=")
	f.Add(" \t\r\ncoracle.arg=%ff%FF quiet")
	f.Fuzz(func(t *testing.T, s string) {
		p, ok := Check(s)
		if !ok {
			// len(s) is possible: an empty coracle.env value at the
			// very end is reported where the value starts.
			if p.Offset < 0 || p.Offset > len(s) {
				t.Fatalf("Check(%q): problem offset %d outside the line", s, p.Offset)
			}
			if p.Reason == "" {
				t.Fatalf("Check(%q): problem without a reason", s)
			}
			return
		}
		sc := NewScanner(s)
		for {
			w, ok := sc.Next()
			if !ok {
				return
			}
			if w.Key != ArgKey && w.Key != EnvKey {
				continue
			}
			n := DecodedLen(w.Value)
			if n > len(w.Value) {
				t.Fatalf("DecodedLen(%q) = %d, longer than the encoded value", w.Value, n)
			}
			buf := make([]byte, n)
			if got := Decode(buf, w.Value); got != n {
				t.Fatalf("Decode(%q) = %d bytes, DecodedLen says %d", w.Value, got, n)
			}
			if w.Key == EnvKey && !strings.Contains(w.Value, "=") {
				t.Fatalf("Check accepted env word %q without '='", w.Value)
			}
			re, err := Encode("", []string{string(buf)}, nil)
			if err != nil {
				continue // re-encoding can exceed MaxLen
			}
			if d := decodeAll(t, re); len(d.args) != 1 || d.args[0] != string(buf) {
				t.Fatalf("re-encoding %q does not round-trip", buf)
			}
		}
	})
}
