package deploy

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func readRepoFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("../" + name)
	require.NoErrorf(t, err, "read ../%s", name)
	return string(b)
}

// stages splits a Dockerfile into its stages, each beginning with FROM.
func stages(dockerfile string) []string {
	var out []string
	for _, line := range strings.Split(dockerfile, "\n") {
		if strings.HasPrefix(strings.ToUpper(strings.TrimSpace(line)), "FROM ") {
			out = append(out, "")
		}
		if len(out) > 0 {
			out[len(out)-1] += line + "\n"
		}
	}
	return out
}

func TestDockerfile_BuildsWithTheGoVersionOfGoMod(t *testing.T) {
	t.Parallel()
	goVersion := regexp.MustCompile(`(?m)^go (\S+)$`).FindStringSubmatch(readRepoFile(t, "go.mod"))
	require.NotNil(t, goVersion, "go.mod has a go directive")

	df := readRepoFile(t, "Dockerfile")
	st := stages(df)
	require.GreaterOrEqual(t, len(st), 2, "the Dockerfile is multi-stage")
	require.Containsf(t, st[0], "FROM golang:"+goVersion[1]+"-bookworm", "build stage pins go %s like go.mod", goVersion[1])
	require.Contains(t, st[0], "GOTOOLCHAIN=local")
	require.Contains(t, st[0], "CGO_ENABLED=0")
	require.Contains(t, st[0], "-trimpath")
	require.Contains(t, st[0], "./cmd/recoup")
}

func TestDockerfile_DownloadsModulesInTheirOwnLayerBeforeCopyingSources(t *testing.T) {
	t.Parallel()
	build := stages(readRepoFile(t, "Dockerfile"))[0]
	mods := strings.Index(build, "COPY go.mod go.sum")
	download := strings.Index(build, "go mod download")
	sources := strings.Index(build, "COPY . .")
	require.True(t, mods >= 0 && download > mods && sources > download,
		"COPY go.mod go.sum, then RUN go mod download, then COPY . .")
	require.NotContains(t, build, "RUN --mount", "docker-compose 1.29 builds without BuildKit")
}

func TestDockerfile_RunsTheBinaryAsNonRootOnPort8080(t *testing.T) {
	t.Parallel()
	st := stages(readRepoFile(t, "Dockerfile"))
	runtime := st[len(st)-1]
	require.Contains(t, runtime, `ENTRYPOINT ["/recoup"]`)
	require.Regexp(t, `(?m)^EXPOSE 8080\b`, runtime)
	user := regexp.MustCompile(`(?m)^USER (\S+)`).FindAllStringSubmatch(runtime, -1)
	require.NotEmpty(t, user, "the runtime stage sets USER")
	last := strings.Split(user[len(user)-1][1], ":")[0]
	require.NotContains(t, []string{"root", "0"}, last)
}

func TestDockerignore_KeepsLocalStateOutOfTheBuildContext(t *testing.T) {
	t.Parallel()
	lines := map[string]bool{}
	for _, l := range strings.Split(readRepoFile(t, ".dockerignore"), "\n") {
		lines[strings.TrimSpace(l)] = true
	}
	for _, p := range []string{".git", ".recoup", "*.test"} {
		require.Truef(t, lines[p], ".dockerignore lists %s", p)
	}
	for _, p := range []string{"go.mod", "go.sum", "cmd", "*.go"} {
		require.Falsef(t, lines[p], ".dockerignore must not exclude %s", p)
	}
}
