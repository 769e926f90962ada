// Tlsclient fetches the https URL in its argument with http.Get, the
// default client, so that the server's certificate chain is verified
// against the system roots (crypto/x509 reads them from
// /etc/ssl/certs/ca-certificates.crt and the other usual places), and
// prints the body, or the error.
package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Println("usage: tlsclient URL")
		os.Exit(64)
	}
	var resp *http.Response
	var err error
	// The network comes up while main starts: retry until DHCP is done,
	// but not when the certificate was refused, which would not change.
	for try := 0; try < 100; try++ {
		if resp, err = http.Get(os.Args[1]); err == nil {
			break
		}
		if _, ok := errors.AsType[*tls.CertificateVerificationError](err); ok {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		fmt.Println("tlsclient: error:", err)
		os.Exit(1)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		fmt.Println("tlsclient: reading the body:", err)
		os.Exit(1)
	}
	fmt.Printf("tlsclient: %s: %s\n", resp.Status, body)
}
