package integration

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// examples/httpd on a lossy network: the kernel command line's net_loss=2
// makes the guest's link drop 2% of the frames each way, at random. The
// DHCP exchange, ARP, new connections and bulk transfers must all still
// come through whole (4 MiB from the guest, 512 KiB to it), by TCP's and
// DHCP's own recovery, with RACK-TLP on (the default) and off.
func TestHTTPDLossyNetwork(t *testing.T) {
	img := buildImage(t, "./examples/httpd")
	for _, rack := range []string{"on", "off"} {
		t.Run("tcp_rack="+rack, func(t *testing.T) {
			port := freePort(t)
			g := startGuest(t, 10*time.Minute, "run", "--accel", "tcg", "--cmdline", "net_loss=2 tcp_rack="+rack, "-p", fmt.Sprintf("%d:8080", port), img)
			g.waitFor(t, "from DHCP", 3*time.Minute)
			if want := "net_loss=2: dropping 2% of frames at random, each way"; !strings.Contains(g.out.String(), want) {
				t.Errorf("the console lacks %q\n%s", want, g)
			}
			base := fmt.Sprintf("http://127.0.0.1:%d", port)
			keepAlive := &http.Client{Timeout: 3 * time.Minute}
			getPages(t, g, keepAlive, base, "keep-alive", 20)
			getPages(t, g, &http.Client{Timeout: 3 * time.Minute, Transport: &http.Transport{DisableKeepAlives: true}}, base, "new connection each", 20)

			// QEMU's user network, the guest's peer here, recovers from
			// losses without SACK and with a retransmission timeout of a
			// second or more: 4 MiB sent to the guest at 3% loss took 50-100 s.
			const down, up = 4 << 20, 512 << 10
			want := httpdBytes(down)
			resp, err := keepAlive.Get(fmt.Sprintf("%s/bytes?n=%d", base, down))
			if err != nil {
				t.Fatalf("GET 4 MiB: %v\n%s", err, g.tail())
			}
			got, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("GET 4 MiB: %d bytes, %v; not the bytes served", len(got), err)
			}

			body := make([]byte, up)
			rand.Read(body)
			wantSum := httpdUploadAnswer(body)
			resp, err = keepAlive.Post(base+"/upload", "application/octet-stream", bytes.NewReader(body))
			if err != nil {
				t.Fatalf("POST 512 KiB: %v\n%s", err, g.tail())
			}
			answer, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(answer) != wantSum {
				t.Errorf("POST 512 KiB: the guest read %q, want %q", answer, wantSum)
			}
			quitHTTPD(t, g, base)
		})
	}
}
