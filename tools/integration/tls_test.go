package integration

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const tlsclient = "./tools/integration/testdata/tlsclient"

// An HTTPS client in the guest verifies a real certificate chain against
// the system roots: the test makes a CA and a certificate for 10.0.2.2
// (the host as the guest sees it), serves HTTPS on the host's loopback,
// and gives the guest the CA where crypto/x509 looks on Linux,
// /etc/ssl/certs/ca-certificates.crt, with --files. Without the CA the
// guest's TLS handshake fails with Go's verification error.
func TestGuestHTTPS(t *testing.T) {
	ca, srvCert := testPKI(t)
	roots := t.TempDir()
	bundle := filepath.Join(roots, "etc", "ssl", "certs", "ca-certificates.crt")
	if err := os.MkdirAll(filepath.Dir(bundle), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bundle, ca, 0o644); err != nil {
		t.Fatal(err)
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf("verified hello %x", time.Now().UnixNano())
	srv := &http.Server{
		Handler:   http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, body) }),
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{srvCert}},
		// The guest without the CA hangs up in the handshake, as it should.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	go srv.ServeTLS(l, "", "")
	defer srv.Close()
	url := fmt.Sprintf("https://10.0.2.2:%d/", l.Addr().(*net.TCPAddr).Port)

	t.Run("with the CA", func(t *testing.T) {
		res := coracle(t, "run", "--accel", "tcg", "--files", roots, tlsclient, "--", url)
		if want := "tlsclient: 200 OK: " + body + "\n"; res.err != nil || res.status != 0 || !strings.Contains(res.stdout, want) {
			t.Errorf("want %q and exit status 0\n%s", want, res)
		}
	})
	t.Run("without the CA", func(t *testing.T) {
		res := coracle(t, "run", "--accel", "tcg", tlsclient, "--", url)
		want := "x509: certificate signed by unknown authority"
		if res.err != nil || res.status != 1 || !strings.Contains(res.stdout, "tlsclient: error: ") || !strings.Contains(res.stdout, want) {
			t.Errorf("want %q and exit status 1\n%s", want, res)
		}
	})
}

// testPKI makes a CA and a server certificate it signs for the IP
// address 10.0.2.2. It returns the CA certificate in PEM and the server's
// certificate chain with its key.
func testPKI(t *testing.T) (caPEM []byte, server tls.Certificate) {
	t.Helper()
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "coracle test CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "10.0.2.2"},
		IPAddresses:  []net.IP{net.IPv4(10, 0, 2, 2)},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	return caPEM, tls.Certificate{Certificate: [][]byte{der, caDER}, PrivateKey: key}
}
