package main

import (
	"fmt"
	"net/netip"
	"path"
	"strings"
)

// Words of the kernel command line that netinit reads. They have a dot,
// so the kernel takes them for module parameters and keeps them out of
// init's arguments and environment (as it would the parameters of a
// module it has not loaded yet), and so /proc/cmdline is where they are.
const (
	modulesKey = "netinit.modules" // comma-separated, in load order
	ipKey      = "netinit.ip"      // ADDR/PREFIX, IPv4
	devKey     = "netinit.dev"     // the interface to configure
	execKey    = "netinit.exec"    // the program to run next
)

// config is what netinit does, read from the kernel command line.
type config struct {
	// modules are loaded in this order from /lib/modules/NAME.ko.
	modules []string
	// params holds each module's parameters as finit_module takes them
	// ("device=512@0xfeb00e00:12"), from the command line's
	// MODULE.PARAM=VALUE words: when a module is loaded by a program,
	// not by the kernel, those words are the program's to pass (modprobe
	// does the same).
	params map[string]string
	dev    string
	addr   netip.Prefix
	exec   string
}

// parseConfig reads a config from the kernel command line.
func parseConfig(cmdline string) (config, error) {
	c := config{dev: "eth0", params: map[string]string{}}
	var params []struct{ module, param string }
	for _, w := range splitCmdline(cmdline) {
		key, value, _ := strings.Cut(w, "=")
		switch key {
		case modulesKey:
			for m := range strings.SplitSeq(value, ",") {
				if m != "" {
					c.modules = append(c.modules, normalizeModule(m))
				}
			}
		case ipKey:
			p, err := netip.ParsePrefix(value)
			if err != nil || !p.Addr().Is4() {
				return config{}, fmt.Errorf("%s=%s: want an IPv4 ADDR/PREFIX such as 192.0.2.2/24", ipKey, value)
			}
			c.addr = p
		case devKey:
			c.dev = value
		case execKey:
			c.exec = value
		default:
			if module, param, ok := strings.Cut(key, "."); ok && module != "" && param != "" {
				params = append(params, struct{ module, param string }{normalizeModule(module), w[len(module)+1:]})
			}
		}
	}
	if !c.addr.IsValid() {
		return config{}, fmt.Errorf("no %s= word on the kernel command line", ipKey)
	}
	if c.dev == "" || len(c.dev) >= 16 || strings.ContainsAny(c.dev, "/ ") {
		return config{}, fmt.Errorf("%s=%s: not an interface name", devKey, c.dev)
	}
	if !path.IsAbs(c.exec) {
		return config{}, fmt.Errorf("%s=%q: want the absolute path of the program to run", execKey, c.exec)
	}
	for _, p := range params {
		if !contains(c.modules, p.module) {
			continue
		}
		if c.params[p.module] != "" {
			c.params[p.module] += " "
		}
		c.params[p.module] += quoteParam(p.param)
	}
	return c, nil
}

// splitCmdline splits a kernel command line into words as the kernel
// does (lib/cmdline.c, next_arg): at spaces outside double quotes, which
// are removed. Words after "--" are init's arguments, not parameters.
func splitCmdline(s string) []string {
	var words []string
	var w strings.Builder
	inWord, quoted := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			quoted, inWord = !quoted, true
		case !quoted && (c == ' ' || c == '\t' || c == '\n'):
			if inWord {
				if w.String() == "--" {
					return words
				}
				words = append(words, w.String())
				w.Reset()
				inWord = false
			}
		default:
			w.WriteByte(c)
			inWord = true
		}
	}
	if inWord && w.String() != "--" {
		words = append(words, w.String())
	}
	return words
}

// quoteParam writes PARAM=VALUE so that the kernel's parser reads it back
// as one word: with the value in double quotes if it has a space.
func quoteParam(p string) string {
	name, value, ok := strings.Cut(p, "=")
	if !ok || !strings.ContainsAny(value, " \t\n") {
		return p
	}
	return name + `="` + value + `"`
}

// normalizeModule spells a module name as the kernel compares it: '-'
// and '_' are the same character.
func normalizeModule(name string) string { return strings.ReplaceAll(name, "-", "_") }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
