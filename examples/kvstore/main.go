// Kvstore is a key-value store with an HTTP API over go.etcd.io/bbolt,
// an ordinary Go program that keeps its database on a disk:
//
//	PUT    /kv/KEY         store the request body under KEY
//	GET    /kv/KEY         the value
//	DELETE /kv/KEY         remove KEY
//	GET    /kv/?prefix=P   the keys starting with P, one per line, sorted
//
// A PUT or DELETE is answered only after its bbolt transaction has
// committed, with fdatasync, so an acknowledged write survives a crash.
// The database is -db, or $KVSTORE_DB, or /mnt/disk0/kv.db: the first
// disk of `coracle run --disk FILE` (make run-kvstore boots it so).
package main

import (
	"cmp"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/coracle-os/coracle/examples/kvstore/kv"
)

// defaultDB is on the first disk coracle run --disk mounts.
const defaultDB = "/mnt/disk0/kv.db"

func main() {
	addr := flag.String("addr", ":8080", "address to listen on")
	dbPath := flag.String("db", cmp.Or(os.Getenv("KVSTORE_DB"), defaultDB), "the bbolt database file (default $KVSTORE_DB, else "+defaultDB+")")
	flag.Parse()

	store, err := kv.Open(*dbPath)
	if err != nil {
		log.Fatalf("kvstore: %v", err)
	}
	// Closing on SIGINT/SIGTERM releases bbolt's lock; committed data is
	// durable either way.
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-stop
		store.Close()
		os.Exit(0)
	}()

	l, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("kvstore: %v", err)
	}
	fmt.Printf("kvstore: listening on %s, database %s\n", l.Addr(), store.Path())
	log.Fatal(http.Serve(l, store.Handler()))
}
