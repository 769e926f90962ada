package cmdline

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// decoded is a command line read back the way the kernel reads it.
type decoded struct {
	params []string // other words, as written
	args   []string
	env    []string
}

// decodeAll checks s and splits it into parameters, arguments and
// environment, decoding the encoded words.
func decodeAll(t testing.TB, s string) decoded {
	t.Helper()
	if p, ok := Check(s); !ok {
		t.Fatalf("Check(%q) = %+v, want ok", s, p)
	}
	var d decoded
	sc := NewScanner(s)
	for {
		w, ok := sc.Next()
		if !ok {
			return d
		}
		switch w.Key {
		case ArgKey:
			d.args = append(d.args, decodeValue(t, w.Value))
		case EnvKey:
			d.env = append(d.env, decodeValue(t, w.Value))
		default:
			text := w.Key
			if w.HasValue {
				text += "=" + w.Value
			}
			d.params = append(d.params, text)
		}
	}
}

// checkEncodedForm checks that every coracle word of s uses only literal
// bytes and upper-case %XX escapes, and that s contains no whitespace
// other than single spaces between words.
func checkEncodedForm(t testing.TB, s string) {
	t.Helper()
	if strings.Contains(s, "  ") || strings.HasPrefix(s, " ") || strings.HasSuffix(s, " ") ||
		strings.ContainsAny(s, "\t\r\n") {
		t.Errorf("encoded line %q has whitespace other than single spaces between words", s)
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
		v := w.Value
		for i := 0; i < len(v); i++ {
			c := v[i]
			if c == '%' {
				if i+2 >= len(v) || !strings.ContainsRune("0123456789ABCDEF", rune(v[i+1])) ||
					!strings.ContainsRune("0123456789ABCDEF", rune(v[i+2])) {
					t.Errorf("word %s=%q: escape at %d is not %%XX in upper-case hex", w.Key, v, i)
				}
				i += 2
				continue
			}
			if !strings.ContainsRune(literalSet, rune(c)) {
				t.Errorf("word %s=%q: byte %#02x at %d is not escaped", w.Key, v, c, i)
			}
		}
	}
}

const literalSet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/:,=+@"

func allBytes() string {
	b := make([]byte, 256)
	for i := range b {
		b[i] = byte(i)
	}
	return string(b)
}

func TestEncodeGolden(t *testing.T) {
	got, err := Encode("console=ttyS0  quiet",
		[]string{"hello world", "a%b", "", "ü"},
		[]string{"HOME=/root", "X=a b"})
	if err != nil {
		t.Fatal(err)
	}
	const want = "console=ttyS0 quiet" +
		" coracle.env=HOME=/root coracle.env=X=a%20b" +
		" coracle.arg=hello%20world coracle.arg=a%25b coracle.arg= coracle.arg=%C3%BC"
	if got != want {
		t.Errorf("Encode =\n%q\nwant\n%q", got, want)
	}
}

func TestEncodeNothing(t *testing.T) {
	for _, params := range []string{"", " ", "\t\n\r "} {
		got, err := Encode(params, nil, nil)
		if err != nil || got != "" {
			t.Errorf("Encode(%q, nil, nil) = %q, %v; want \"\", nil", params, got, err)
		}
	}
	// No leading space when there are no parameters.
	got, err := Encode("", []string{"x"}, nil)
	if err != nil || got != "coracle.arg=x" {
		t.Errorf("Encode(\"\", [x], nil) = %q, %v; want %q", got, err, "coracle.arg=x")
	}
	got, err = Encode(" ", nil, []string{"A=1"})
	if err != nil || got != "coracle.env=A=1" {
		t.Errorf("Encode(\" \", nil, [A=1]) = %q, %v; want %q", got, err, "coracle.env=A=1")
	}
}

func TestEncodeEveryByte(t *testing.T) {
	for c := range 256 {
		got, err := Encode("", []string{string([]byte{byte(c)})}, nil)
		if err != nil {
			t.Fatalf("byte %#02x: %v", c, err)
		}
		want := ArgKey + "=" + fmt.Sprintf("%%%02X", c)
		if strings.IndexByte(literalSet, byte(c)) >= 0 {
			want = ArgKey + "=" + string(rune(c))
		}
		if got != want {
			t.Errorf("byte %#02x encodes as %q, want %q", c, got, want)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	everyByteArgs := make([]string, 256)
	for i := range everyByteArgs {
		everyByteArgs[i] = string([]byte{byte(i)})
	}
	tests := []struct {
		name   string
		params string
		args   []string
		env    []string
	}{
		{"nothing", "", nil, nil},
		{"params only", "console=ttyS0 quiet", nil, nil},
		{"plain args", "", []string{"serve", "-addr", ":8080"}, nil},
		{"spaces", "", []string{"hello world", " leading", "trailing ", "  "}, nil},
		{"tabs and newlines", "", []string{"a\tb", "line1\nline2\r\n", "\n"}, nil},
		{"quotes", "", []string{`"double"`, "'single'", "`back`", `\"escaped\"`}, nil},
		{"percent", "", []string{"%", "%%", "%41", "100%", "%zz"}, nil},
		{"equals", "", []string{"=", "a=b", "==", "coracle.arg=x"}, []string{"A==", "B=c=d"}},
		{"empty strings", "", []string{"", "x", "", ""}, []string{"EMPTY="}},
		{"all 256 byte values in one arg", "", []string{allBytes()}, []string{"ALL=" + allBytes()}},
		{"each byte value as an arg", "", everyByteArgs, nil},
		{"invalid UTF-8", "", []string{"\xff\xfe\xfd", "\xc3", "a\x80b"}, []string{"BIN=\xc0\xaf"}},
		{"unicode", "", []string{"héllo", "日本語", "🙂", "\u00a0nbsp\u2003"}, []string{"GRÜSS=ümlaut"}},
		{"NUL bytes", "", []string{"\x00", "a\x00b"}, []string{"N=\x00"}},
		{"looks encoded", "", []string{"coracle.env=A=B", "%20"}, nil},
		{"odd env names", "", nil, []string{"MY VAR=1", "1=2", "ü=ö", "%=%"}},
		{"everything", "  console=ttyS0\tquiet  loglevel=7\n",
			[]string{"-flag=value with spaces", "", "ü"},
			[]string{"HOME=/", "GOTRACEBACK=all", "MSG=\"hi there\"\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Encode(tt.params, tt.args, tt.env)
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			checkEncodedForm(t, s)
			d := decodeAll(t, s)
			if want := strings.Fields(tt.params); !equalStrings(d.params, want) {
				t.Errorf("params = %q, want %q", d.params, want)
			}
			if !equalStrings(d.args, tt.args) {
				t.Errorf("args =\n%q\nwant\n%q", d.args, tt.args)
			}
			if !equalStrings(d.env, tt.env) {
				t.Errorf("env =\n%q\nwant\n%q", d.env, tt.env)
			}
		})
	}
}

// equalStrings is reflect.DeepEqual that treats nil and empty as equal.
func equalStrings(a, b []string) bool {
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	return reflect.DeepEqual(a, b)
}

func TestEncodeParams(t *testing.T) {
	tests := []struct{ in, want string }{
		{"quiet", "quiet"},
		{"console=ttyS0", "console=ttyS0"},
		{"  console=ttyS0   quiet\t\tloglevel=7\n\r", "console=ttyS0 quiet loglevel=7"},
		{"a\r\nb", "a b"},
		{"ключ=значение", "ключ=значение"},
		{"x=\xff\xfe y=\x80", "x=\xff\xfe y=\x80"}, // invalid UTF-8 is not a control character
		{`x="a b"`, `x="a b"`},                     // two words: x="a and b"
		{"% %zz coracle.argx", "% %zz coracle.argx"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Encode(tt.in, nil, nil)
			if err != nil {
				t.Fatalf("Encode(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("Encode(%q) = %q, want %q", tt.in, got, tt.want)
			}
			// Words, as the kernel's Scanner sees them, pass intact.
			if gw, ww := wordTexts(got), wordTexts(tt.in); !reflect.DeepEqual(gw, ww) {
				t.Errorf("words after Encode = %q, want the words of the input %q", gw, ww)
			}
		})
	}
}

// TestEncodeParamsUnicodeSpace: Encode splits parameters with
// strings.Fields, which breaks words at every Unicode space, while the
// kernel's Scanner splits only at ASCII space, tab, CR and LF. A word that
// contains, say, U+00A0 is one word to the kernel and must stay one.
func TestEncodeParamsUnicodeSpace(t *testing.T) {
	for _, tt := range []struct{ name, in string }{
		{"U+00A0 no-break space", "msg=a\u00a0b"},
		{"U+0085 next line", "msg=a\u0085b"},
		{"U+2003 em space", "msg=a\u2003b"},
		{"U+3000 ideographic space", "msg=a\u3000b quiet"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Encode(tt.in, nil, nil)
			if err != nil {
				t.Fatalf("Encode(%q): %v", tt.in, err)
			}
			if gw, ww := wordTexts(got), wordTexts(tt.in); !reflect.DeepEqual(gw, ww) {
				t.Errorf("BUG: Encode(%q) = %q: the kernel sees words %q, want the input's words %q",
					tt.in, got, gw, ww)
			}
		})
	}
}

func wordTexts(s string) []string {
	var out []string
	for _, w := range scanAll(s) {
		text := w.Key
		if w.HasValue {
			text += "=" + w.Value
		}
		out = append(out, text)
	}
	return out
}

func TestEncodeErrors(t *testing.T) {
	tests := []struct {
		name    string
		params  string
		args    []string
		env     []string
		mention string // a substring of the error
	}{
		{"NUL in params", "quiet\x00", nil, nil, "offset 5"},
		{"SOH in params", "\x01", nil, nil, "offset 0"},
		{"escape in params", "a=\x1b[31m", nil, nil, "0x1b"},
		{"vertical tab in params", "a\vb", nil, nil, "control character"},
		{"form feed in params", "a\fb", nil, nil, "control character"},
		{"DEL in params", "a=\x7f", nil, nil, "0x7f"},
		{"env without equals", "", nil, []string{"NOEQUALS"}, "NOEQUALS"},
		{"env with empty name", "", nil, []string{"=value"}, "non-empty NAME"},
		{"empty env entry", "", nil, []string{""}, "NAME=VALUE"},
		{"second env entry bad", "", nil, []string{"A=1", "B"}, `"B"`},
		{"too long: one arg", "", []string{strings.Repeat("a", MaxLen)}, nil, "limit"},
		{"too long: escapes count thrice", "", []string{strings.Repeat(" ", MaxLen/3)}, nil, "limit"},
		{"too long: many args", "", manyArgs(MaxLen/14 + 1), nil, "limit"},
		{"too long: params", strings.Repeat("p", MaxLen+1), nil, nil, "limit"},
		{"too long: env", "", nil, []string{"A=" + strings.Repeat("v", MaxLen)}, "limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Encode(tt.params, tt.args, tt.env)
			if err == nil {
				t.Fatalf("Encode succeeded with %d bytes, want an error", len(s))
			}
			if s != "" {
				t.Errorf("Encode returned %d bytes with its error, want none", len(s))
			}
			if !strings.Contains(err.Error(), tt.mention) {
				t.Errorf("error %q does not mention %q", err, tt.mention)
			}
		})
	}
}

// manyArgs returns n one-byte arguments: 14 encoded bytes each with the
// separating space.
func manyArgs(n int) []string {
	a := make([]string, n)
	for i := range a {
		a[i] = "x"
	}
	return a
}

func TestEncodeMaxLen(t *testing.T) {
	prefix := len(ArgKey) + 1
	for _, tt := range []struct {
		name string
		arg  string
		ok   bool
	}{
		{"exactly MaxLen", strings.Repeat("a", MaxLen-prefix), true},
		{"MaxLen+1", strings.Repeat("a", MaxLen-prefix+1), false},
		{"exactly MaxLen with escapes", strings.Repeat("a", (MaxLen-prefix)%3) + strings.Repeat(" ", (MaxLen-prefix)/3), true},
		{"MaxLen+3 with escapes", strings.Repeat("a", (MaxLen-prefix)%3) + strings.Repeat(" ", (MaxLen-prefix)/3+1), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Encode("", []string{tt.arg}, nil)
			if tt.ok {
				if err != nil {
					t.Fatalf("Encode: %v", err)
				}
				if len(s) != MaxLen {
					t.Errorf("len = %d, want MaxLen = %d", len(s), MaxLen)
				}
				if d := decodeAll(t, s); len(d.args) != 1 || d.args[0] != tt.arg {
					t.Errorf("argument did not survive the round trip")
				}
			} else if err == nil {
				t.Errorf("Encode of %d bytes succeeded, want an error", len(s))
			}
		})
	}
	if MaxLen >= 64<<10 {
		t.Errorf("MaxLen = %d leaves no room under the kernel's 64 KiB command line", MaxLen)
	}
}

func TestEncodeParamsWithCoracleKeys(t *testing.T) {
	// Parameters are raw kernel words: Encode passes encoded-looking words
	// through unchanged, and the kernel's Check judges them at boot.
	for _, params := range []string{"coracle.arg=%zz", "coracle.arg=x", "coracle.env=A=b"} {
		s, err := Encode(params, nil, nil)
		if err != nil || s != params {
			t.Errorf("Encode(%q) = %q, %v; want it unchanged", params, s, err)
		}
	}
	if _, ok := Check("coracle.arg=%zz"); ok {
		t.Error("Check accepts coracle.arg=%zz")
	}
}
