package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// configurationGuide is where the config table lives.
const configurationGuide = "docs/configuration.md"

// The configuration guide documents every key Pulumi.yaml declares.
func TestConfigurationGuideNamesEveryKey(t *testing.T) {
	guide, err := os.ReadFile(configurationGuide)
	if err != nil {
		t.Fatal(err)
	}
	proj := loadProject(t)
	if len(proj.Config) == 0 {
		t.Fatal("Pulumi.yaml declares no config keys")
	}
	for key := range proj.Config {
		if !strings.Contains(string(guide), "`"+key+"`") {
			t.Errorf("%s does not document config key %s", configurationGuide, key)
		}
	}
}

// markdownLink is an inline link's target, without a title.
var markdownLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// Every relative link in the README and the guides reaches a file that
// exists, and a #fragment reaches a heading of that file.
func TestDocumentationLinksResolve(t *testing.T) {
	pages, err := filepath.Glob("docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	pages = append(pages, "README.md", "lambda/README.md")
	for _, page := range pages {
		text, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range markdownLink.FindAllStringSubmatch(string(text), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			file, fragment, _ := strings.Cut(target, "#")
			path := page
			if file != "" {
				path = filepath.Join(filepath.Dir(page), file)
			}
			if _, err := os.Stat(path); err != nil { //nolint:gosec // G703: a link in the repository's own pages, only stat-ed
				t.Errorf("%s links to %s, which does not exist", page, target)
				continue
			}
			if fragment != "" && !hasAnchor(t, path, fragment) {
				t.Errorf("%s links to %s, but %s has no heading with that anchor", page, target, path)
			}
		}
	}
}

// hasAnchor reports whether a heading of the markdown file at path has the
// anchor GitHub gives it: lower case, punctuation dropped, spaces as hyphens.
func hasAnchor(t *testing.T, path, anchor string) bool {
	t.Helper()
	text, err := os.ReadFile(path) //nolint:gosec // G703: a page of the repository that one of its own links names
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.SplitSeq(string(text), "\n") {
		heading := strings.TrimLeft(line, "#")
		if heading == line || !strings.HasPrefix(heading, " ") {
			continue
		}
		slug := strings.Map(func(r rune) rune {
			switch {
			case r == ' ':
				return '-'
			case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
				return unicode.ToLower(r)
			}
			return -1
		}, strings.TrimSpace(heading))
		if slug == anchor {
			return true
		}
	}
	return false
}
