// Package kv is kvstore's store: keys and values in one bbolt bucket,
// served over HTTP by Handler. A write returns only after its bbolt
// transaction has committed, and bbolt commits with fdatasync (the
// database is opened with NoSync false, bbolt's default), so what a
// client was told is stored is on stable storage.
//
// It is ordinary Go with no coracle imports: the same code runs on Linux
// and in a coracle image.
package kv

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bucket holds every key.
var bucket = []byte("kv")

// MaxKeyLen is bbolt's limit on a key's length (bolt.MaxKeySize).
const MaxKeyLen = bolt.MaxKeySize

// ErrNotFound is returned for a key the store does not hold.
var ErrNotFound = errors.New("no such key")

// openTimeout bounds the wait for bbolt's file lock, so that a database
// another process holds is an error rather than a hang.
const openTimeout = 2 * time.Second

// Store is an open database.
type Store struct {
	db *bolt.DB
}

// Open opens the database at path, creating it (but not its directory)
// if it does not exist.
func Open(path string) (*Store, error) {
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("database directory %s: %w (is the disk mounted there?)", dir, err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("database directory %s is not a directory", dir)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: openTimeout})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, fmt.Errorf("opening %s: another process holds the database", path)
	}
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucket)
		return err
	}); err != nil {
		db.Close()
		return nil, fmt.Errorf("creating the bucket in %s: %w", path, err)
	}
	return &Store{db: db}, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Path is the database's file.
func (s *Store) Path() string { return s.db.Path() }

// Put stores value under key; when it returns nil the transaction has
// committed.
func (s *Store) Put(key string, value []byte) error {
	if err := checkKey(key); err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucket).Put([]byte(key), value)
	})
}

// Get returns a copy of key's value, or ErrNotFound.
func (s *Store) Get(key string) ([]byte, error) {
	var value []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucket).Get([]byte(key))
		if v == nil {
			return ErrNotFound
		}
		// v lives in bbolt's mapping only as long as the transaction.
		value = bytes.Clone(v)
		return nil
	})
	return value, err
}

// Delete removes key, or returns ErrNotFound; when it returns nil the
// transaction has committed.
func (s *Store) Delete(key string) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucket)
		if b.Get([]byte(key)) == nil {
			return ErrNotFound
		}
		return b.Delete([]byte(key))
	})
}

// List returns the keys that start with prefix, in byte order.
func (s *Store) List(prefix string) ([]string, error) {
	var keys []string
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucket).Cursor()
		p := []byte(prefix)
		for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, _ = c.Next() {
			keys = append(keys, string(k))
		}
		return nil
	})
	return keys, err
}

// checkKey refuses keys bbolt cannot store, and keys a listing (one key
// per line) could not show.
func checkKey(key string) error {
	switch {
	case key == "":
		return errors.New("empty key")
	case len(key) > MaxKeyLen:
		return fmt.Errorf("key of %d bytes: at most %d", len(key), MaxKeyLen)
	case bytes.ContainsAny([]byte(key), "\n\r"):
		return errors.New("key with a line break")
	}
	return nil
}
