package cli

import (
	"net"
	"strings"
	"testing"
)

func TestCheckGDBPortBusy(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	err = checkGDBPort(port)
	if err == nil || !strings.Contains(err.Error(), "is in use") || !strings.Contains(err.Error(), "choose another port") {
		t.Fatalf("checkGDBPort(%d) on a busy port: %v", port, err)
	}
	l.Close()
	if err := checkGDBPort(port); err != nil {
		t.Fatalf("checkGDBPort(%d) on a free port: %v", port, err)
	}
}

func TestGDBCommand(t *testing.T) {
	got := shellQuote(GDBCommand("/tmp/my dir/hello.img", "127.0.0.1:1234", "/usr/lib/go/src/runtime/runtime-gdb.py"))
	want := `gdb -iex 'add-auto-load-safe-path /usr/lib/go/src/runtime' '/tmp/my dir/hello.img' -ex 'target remote 127.0.0.1:1234'`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	got = shellQuote(GDBCommand("hello.img", "127.0.0.1:1", ""))
	if want := `gdb hello.img -ex 'target remote 127.0.0.1:1'`; got != want {
		t.Errorf("without a script: got %s, want %s", got, want)
	}
	if got := shellQuote([]string{"it's"}); got != `'it'\''s'` {
		t.Errorf("shellQuote of a quote: %s", got)
	}
}
