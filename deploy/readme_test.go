package deploy

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var heading = regexp.MustCompile(`^(#{1,6})\s+(.*?)\s*#*\s*$`)

// readmeSection returns the body of the README section whose heading
// contains title (case-insensitive), up to the next heading of the same or a
// higher level.
func readmeSection(t *testing.T, title string) string {
	t.Helper()
	var body []string
	level := 0
	for _, line := range strings.Split(readRepoFile(t, "README.md"), "\n") {
		m := heading.FindStringSubmatch(line)
		if level > 0 && m != nil && len(m[1]) <= level {
			break
		}
		if level > 0 {
			body = append(body, line)
		} else if m != nil && strings.Contains(strings.ToLower(m[2]), strings.ToLower(title)) {
			level = len(m[1])
		}
	}
	require.NotZerof(t, level, "README.md has a %q section", title)
	return strings.Join(body, "\n")
}

func TestReadme_ProductionShapeNamesEveryComposeService(t *testing.T) {
	t.Parallel()
	section := readmeSection(t, "Production shape")
	require.Contains(t, section, "docker-compose up --build")
	for _, name := range serviceNames {
		require.Containsf(t, section, "`"+name+"`", "the Production shape section names service `%s`", name)
	}
}

func TestReadme_ConfigurationTableListsEveryProductionSetting(t *testing.T) {
	t.Parallel()
	var rows []string
	for _, line := range strings.Split(readRepoFile(t, "README.md"), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "|") {
			rows = append(rows, line)
		}
	}
	table := strings.Join(rows, "\n")
	for _, v := range productionSettings() {
		require.Regexpf(t, `(^|[^A-Z0-9_])`+v+`([^A-Z0-9_]|$)`, table,
			"README.md's configuration table has a row for %s", v)
	}
}

// The Layout section names every package directory of the repository, and
// only those: a package added, moved or removed shows here.
func TestReadme_LayoutNamesEveryPackage(t *testing.T) {
	t.Parallel()
	section := readmeSection(t, "Layout")
	listed := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^([a-z]+(?:/[a-z]+)?)/ `).FindAllStringSubmatch(section, -1) {
		listed[m[1]] = true
		top, _, _ := strings.Cut(m[1], "/")
		listed[top] = true
	}
	entries, err := os.ReadDir("..")
	require.NoError(t, err)
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		files, err := filepath.Glob(filepath.Join("..", e.Name(), "*.go"))
		require.NoError(t, err)
		sub, err := filepath.Glob(filepath.Join("..", e.Name(), "*", "*.go"))
		require.NoError(t, err)
		if len(files)+len(sub) > 0 {
			require.Truef(t, listed[e.Name()], "the README's Layout section names %s/", e.Name())
		}
	}
	for name := range listed {
		_, err := os.Stat(filepath.Join("..", name))
		require.NoErrorf(t, err, "the README's Layout section names %s/, which does not exist", name)
	}
}
