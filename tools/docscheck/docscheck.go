// Package docscheck keeps coracle's documentation self-contained: every
// markdown file in the repository must name only things the repository
// holds. Check reports a relative link whose target does not exist, a
// path that climbs out of the repository with "../", a path through a
// folder named "shared/" (notes kept beside the project, not in it), a
// source file named by its path in the tree (kernel/sock_block.go) that
// is not there, and a markdown document named in the text that the
// repository lacks.
//
// Trap context: none; this package runs on the host only.
package docscheck

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
)

var (
	// inlineLink matches [text](target) and ![alt](target), with an
	// optional "title" after the target.
	inlineLink = regexp.MustCompile(`!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)`)
	// refLink matches a reference definition: [label]: target
	refLink = regexp.MustCompile(`(?m)^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)`)
	// url matches an absolute URL, which names something outside on
	// purpose and is left alone.
	url = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^\s)>\x60]*`)
	// climbing matches a path with a "../" step in it.
	climbing = regexp.MustCompile(`[A-Za-z0-9_.~/-]*\.\./[A-Za-z0-9_.~/-]*`)
	// sharedDir matches a path through a folder named shared.
	sharedDir = regexp.MustCompile(`(?:^|[^A-Za-z0-9_.-])(shared/[A-Za-z0-9_./-]*)`)
	// repoFile matches a slash-separated path to a file with one of the
	// extensions the tree holds: a mention of a source file.
	repoFile = regexp.MustCompile(`(?:^|[^A-Za-z0-9_./-])((?:[A-Za-z0-9_-]+/)+[A-Za-z0-9_.-]+\.(?:go|s|h|md|sh))\b`)
	// mdName matches the name of a markdown document.
	mdName = regexp.MustCompile(`[A-Za-z0-9_./-]*[A-Za-z0-9_-]\.md\b`)
)

// CheckText checks the markdown text of the file at file, a slash-separated
// path relative to the repository root. exists reports whether a
// slash-separated path relative to the root names a file or folder. It
// returns one message per problem, each starting with "file:line: ".
func CheckText(file, text string, exists func(string) bool) []string {
	dir := path.Dir(file)
	var bad []string
	for n, line := range strings.Split(text, "\n") {
		report := func(format string, args ...any) {
			bad = append(bad, fmt.Sprintf("%s:%d: ", file, n+1)+fmt.Sprintf(format, args...))
		}
		// Links first: a broken one is reported once, as a link.
		linked := map[string]bool{}
		var targets []string
		for _, m := range inlineLink.FindAllStringSubmatch(line, -1) {
			targets = append(targets, m[1])
		}
		for _, m := range refLink.FindAllStringSubmatch(line, -1) {
			targets = append(targets, m[1])
		}
		for _, t := range targets {
			if url.MatchString(t) || strings.HasPrefix(t, "mailto:") {
				continue
			}
			p, _, _ := strings.Cut(t, "#")
			if p == "" {
				continue // an anchor in this file
			}
			linked[p] = true
			if strings.HasPrefix(p, "/") {
				report("link %q is an absolute path: link relative to this file", t)
				continue
			}
			target := path.Join(dir, p)
			if escapes(target) {
				report("link %q leaves the repository", t)
				continue
			}
			if !exists(target) {
				report("link %q points at %s, which does not exist", t, target)
			}
		}
		prose := url.ReplaceAllString(line, "")
		for _, p := range climbing.FindAllString(prose, -1) {
			p = strings.TrimRight(p, ".")
			if linked[p] {
				continue
			}
			switch target := path.Join(dir, p); {
			case escapes(target):
				report("%q leaves the repository: the docs must stand alone", p)
			case !exists(target):
				report("%q names %s, which does not exist", p, target)
			}
		}
		for _, m := range sharedDir.FindAllStringSubmatch(prose, -1) {
			report("%q refers to notes outside the repository (shared/): the docs must stand alone", strings.TrimRight(m[1], "."))
		}
		for _, m := range repoFile.FindAllStringSubmatch(prose, -1) {
			p := m[1]
			top, _, _ := strings.Cut(p, "/")
			if linked[p] || strings.Contains(p, "shared/") || !exists(top) {
				continue // not a path into the tree (runtime/os_linux.go)
			}
			if !exists(p) && !exists(path.Join(dir, p)) {
				report("%q names a file the repository does not have", p)
			}
		}
		for _, p := range mdName.FindAllString(prose, -1) {
			if repoFile.MatchString(" " + p) {
				continue // checked above
			}
			if linked[p] || strings.Contains(p, "../") || strings.Contains(p, "shared/") {
				continue // reported above
			}
			if !exists(path.Join(dir, p)) && !exists(path.Clean(strings.TrimPrefix(p, "/"))) {
				report("%q names a document the repository does not have", p)
			}
		}
	}
	return bad
}

// escapes reports whether the cleaned relative path p lies outside the
// root.
func escapes(p string) bool {
	p = path.Clean(p)
	return p == ".." || strings.HasPrefix(p, "../")
}

// Check checks every markdown file under root (the repository), skipping
// hidden folders and testdata.
func Check(root string) ([]string, error) {
	exists := func(p string) bool {
		if p == "." {
			return true
		}
		_, err := os.Stat(filepath.Join(root, filepath.FromSlash(p)))
		return err == nil
	}
	var bad []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != root && (strings.HasPrefix(name, ".") || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".md") {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		text, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		bad = append(bad, CheckText(filepath.ToSlash(rel), string(text), exists)...)
		return nil
	})
	return bad, err
}
