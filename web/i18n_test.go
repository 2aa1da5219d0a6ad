package web

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Every text a template or handler asks for by a literal key is in the
// catalogue (loadCatalog already refuses a key missing in one language).
func TestEveryKeyUsedIsInTheCatalogue(t *testing.T) {
	t.Parallel()
	cat, err := loadCatalog(files)
	require.NoError(t, err)
	keyRE := regexp.MustCompile(`\bT "([a-z0-9_.]+)"|\.t\(r, "([a-z0-9_.]+)"|"(nav\.[a-z_]+)"`)
	check := func(name string, text string) {
		for _, m := range keyRE.FindAllStringSubmatch(text, -1) {
			key := m[1] + m[2] + m[3]
			require.Truef(t, cat.has(key), "%s uses %q, which the catalogue lacks", name, key)
		}
	}
	require.NoError(t, fs.WalkDir(files, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(files, path)
		check(path, string(b))
		return err
	}))
	sources, err := fs.Glob(osDir("."), "*.go")
	require.NoError(t, err)
	for _, s := range sources {
		if strings.HasSuffix(s, "_test.go") {
			continue
		}
		b, err := fs.ReadFile(osDir("."), s)
		require.NoError(t, err)
		check(s, string(b))
	}
}

func TestChooseLanguage(t *testing.T) {
	t.Parallel()
	cat, err := loadCatalog(files)
	require.NoError(t, err)
	for _, tc := range []struct{ saved, accept, want string }{
		{"", "", "en"},
		{"", "fr-FR,fr;q=0.9", "fr"},
		{"", "de-DE,de;q=0.9", "en"},
		{"en", "fr", "en"},
		{"fr", "en-US", "fr"},
		{"xx", "fr", "fr"},
	} {
		require.Equal(t, tc.want, cat.choose(tc.saved, tc.accept), "%+v", tc)
	}
}
