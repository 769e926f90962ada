// Httpclient fetches the URL in its argument with net/http, as an
// unmodified program would, and prints the status and the SHA-256 of the
// body: the guest as a client, through coracle's sockets.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Println("usage: httpclient URL")
		os.Exit(64)
	}
	c := &http.Client{Timeout: 30 * time.Second}
	var resp *http.Response
	var err error
	// The network comes up while main starts: retry until DHCP is done.
	for try := 0; try < 100; try++ {
		if resp, err = c.Get(os.Args[1]); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		fmt.Println("httpclient:", err)
		os.Exit(1)
	}
	defer resp.Body.Close()
	h := sha256.New()
	n, err := io.Copy(h, resp.Body)
	if err != nil {
		fmt.Println("httpclient: reading the body:", err)
		os.Exit(1)
	}
	fmt.Printf("httpclient: %s, %d bytes, sha256 %s\n", resp.Status, n, hex.EncodeToString(h.Sum(nil)))
}
