package virtio

import (
	"fmt"
	"time"
)

// Reset bounds: a device normally reads back 0 at once (QEMU resets
// synchronously), so Reset polls a few times, then sleeps between polls
// for up to about a second.
const (
	resetSpins = 16
	resetPolls = resetSpins + 1000
)

// resetSleep is the pause between late polls (a variable for the tests).
var resetSleep = time.Millisecond

// Reset resets the device by writing 0 to its status and waits until the
// status reads 0: the driver must not reinitialise the device before
// (§2.4.2, §4.1.4.3.2).
func Reset(t Transport) error {
	t.SetStatus(0)
	for i := range resetPolls {
		if t.Status() == 0 {
			return nil
		}
		if i >= resetSpins {
			time.Sleep(resetSleep)
		}
	}
	return ErrResetTimeout
}

// Init initialises the device as §3.1.1 prescribes:
//
//  1. reset, and wait for the reset to complete;
//  2. set ACKNOWLEDGE; 3. set DRIVER;
//  4. read the device's features and accept those it offers that are in
//     supported (plus VIRTIO_F_VERSION_1, required and always accepted on
//     a modern device; bits 0-31 only on a legacy one; never the features
//     this package's transports do not implement:
//     VIRTIO_F_NOTIFICATION_DATA, VIRTIO_F_NOTIF_CONFIG_DATA,
//     VIRTIO_F_RING_RESET, VIRTIO_F_SR_IOV);
//  5. set FEATURES_OK; 6. re-read the status: if FEATURES_OK did not stick
//     the device refused this set (ErrFeaturesRejected). Legacy devices
//     have no FEATURES_OK (§3.1.2) and skip 5 and 6;
//  7. call setup with the accepted features: it sets up the virtqueues
//     (QueueSize, SetupQueue) and may read and write the configuration;
//  8. set DRIVER_OK.
//
// It returns the accepted features. If a step fails, Init sets FAILED
// (the device stays unusable until the next reset) and returns an error
// that wraps the cause: ErrNoVersion1, ErrFeaturesRejected, setup's
// error, ErrDeviceNeedsReset, or ErrResetTimeout.
func Init(t Transport, supported uint64, setup func(features uint64) error) (uint64, error) {
	if err := Reset(t); err != nil {
		return 0, fail(t, err)
	}
	status := uint8(1 << STATUS_ACKNOWLEDGE)
	t.SetStatus(status)
	status |= 1 << STATUS_DRIVER
	t.SetStatus(status)

	offered := t.DeviceFeatures()
	want := supported &^ unsupportedTransportFeature
	if t.Legacy() {
		want &= 1<<32 - 1
	} else {
		if offered&(1<<VIRTIO_F_VERSION_1) == 0 {
			return 0, fail(t, fmt.Errorf("%w (offered %#x)", ErrNoVersion1, offered))
		}
		want |= 1 << VIRTIO_F_VERSION_1
	}
	features := offered & want
	t.SetDriverFeatures(features)

	if !t.Legacy() {
		status |= 1 << STATUS_FEATURES_OK
		t.SetStatus(status)
		if t.Status()&(1<<STATUS_FEATURES_OK) == 0 {
			return 0, fail(t, fmt.Errorf("%w: accepted %#x of %#x", ErrFeaturesRejected, features, offered))
		}
	}

	if setup != nil {
		if err := setup(features); err != nil {
			return 0, fail(t, err)
		}
	}

	status |= 1 << STATUS_DRIVER_OK
	t.SetStatus(status)
	if t.Status()&(1<<STATUS_DEVICE_NEEDS_RESET) != 0 {
		return 0, fail(t, ErrDeviceNeedsReset)
	}
	return features, nil
}

// fail sets FAILED on top of the current status (§3.1.1: the driver
// gives up on the device) and returns err, annotated with the device.
func fail(t Transport, err error) error {
	t.SetStatus(t.Status() | 1<<STATUS_FAILED)
	return fmt.Errorf("virtio %v: init: %w", t.Type(), err)
}

// configTries bounds ReadConfig's retries. The configuration of a device
// changes rarely (a link going up, a disk resized); more than a few
// changes in a row means a broken device.
const configTries = 64

// ReadConfig returns read(t.Config()) read consistently (§2.5.1): again
// until the configuration generation is the same before and after. Legacy
// devices have no generation (§2.5.4), so for them it reads until two
// results in a row agree. T is whatever read builds: a [6]byte MAC, a
// struct of fields.
//
// read must use the access widths of the fields it reads (§4.1.3.1,
// §4.2.2.2): Read8 for bytes, Read16 for 16-bit fields, Read32 for 32-
// and 64-bit ones.
func ReadConfig[T comparable](t Transport, read func(Registers) T) (T, error) {
	cfg := t.Config()
	var v T
	if cfg == nil {
		return v, fmt.Errorf("virtio %v: no device configuration", t.Type())
	}
	if t.Legacy() {
		prev := read(cfg)
		for range configTries {
			v = read(cfg)
			if v == prev {
				return v, nil
			}
			prev = v
		}
		return v, ErrConfigUnstable
	}
	for range configTries {
		before := t.ConfigGeneration()
		v = read(cfg)
		if t.ConfigGeneration() == before {
			return v, nil
		}
	}
	return v, ErrConfigUnstable
}
