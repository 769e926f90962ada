package linuxguest

import (
	"strings"
	"testing"

	"github.com/coracle-os/coracle/tools/internal/newc/newctest"
)

func TestInitramfs(t *testing.T) {
	fs := Initramfs{
		Init: []byte("init program"),
		Files: []File{
			{Path: "lib/modules/virtio.ko", Perm: 0o644, Data: []byte("ko")},
			{Path: "httpd", Perm: 0o755, Data: []byte("server")},
			{Path: "lib/modules/failover.ko", Perm: 0o644, Data: []byte("ko2")},
		},
	}
	b, err := fs.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range newctest.Read(t, b) {
		got = append(got, e.Name)
		if e.Name == "init" && (e.Data != "init program" || e.Mode != 0o100755) {
			t.Errorf("init: %+v", e)
		}
		if e.Name == "lib/modules" && e.Mode != 0o040755 {
			t.Errorf("lib/modules: mode %o", e.Mode)
		}
	}
	want := "dev dev/console init httpd lib lib/modules lib/modules/failover.ko lib/modules/virtio.ko TRAILER!!!"
	if strings.Join(got, " ") != want {
		t.Errorf("entries %s\nwant    %s", strings.Join(got, " "), want)
	}

	for _, bad := range []string{"/etc/passwd", "../x", "init", "dev/console", ".", "httpd"} {
		fs := Initramfs{Init: []byte("x"), Files: []File{{Path: "httpd", Perm: 0o755}, {Path: bad, Perm: 0o644}}}
		if _, err := fs.Bytes(); err == nil {
			t.Errorf("file path %q accepted", bad)
		}
	}
}
