// Tzprobe loads time zones with time.LoadLocation and prints fixed
// instants in each, one line per zone and instant, so that the guest's
// output can be compared with the same program run natively. A zone that
// does not load prints Go's error instead; the probe goes on either way.
package main

import (
	"fmt"
	"time"
)

func main() {
	// A winter and a summer instant, to see both sides of daylight saving
	// time, and one just after Europe's 2026 switch.
	instants := []time.Time{
		time.Date(2026, time.January, 15, 12, 0, 0, 0, time.UTC),
		time.Date(2026, time.July, 1, 12, 0, 0, 0, time.UTC),
		time.Date(2026, time.March, 29, 1, 30, 0, 0, time.UTC),
	}
	for _, name := range []string{"Europe/Paris", "America/New_York"} {
		loc, err := time.LoadLocation(name)
		if err != nil {
			fmt.Printf("tzprobe: %s: error: %v\n", name, err)
			continue
		}
		for _, t := range instants {
			fmt.Printf("tzprobe: %s: %s\n", name, t.In(loc).Format("2006-01-02 15:04:05 -0700 MST"))
		}
	}
	// time.Local comes from $TZ (or /etc/localtime), through the same
	// search; a zone that is not found leaves it UTC.
	for _, t := range instants {
		fmt.Printf("tzprobe: Local: %s\n", t.In(time.Local).Format("2006-01-02 15:04:05 -0700 MST"))
	}
	fmt.Println("tzprobe: done")
}
