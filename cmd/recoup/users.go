package main

import (
	"bufio"
	"fmt"
	"os/user"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"recoup/auth"
	"recoup/config"
	"recoup/store"
)

// cliActor names the person at the terminal in the audit journal.
func cliActor() string {
	if u, err := user.Current(); err == nil {
		return "cli:" + u.Username
	}
	return "cli"
}

func userCmd(cfg *config.Config) *cobra.Command {
	users := &cobra.Command{Use: "user", Short: "Manage who may sign in, with which role and perimeter"}
	var role, entities, name, department string
	var passwordStdin bool
	add := &cobra.Command{
		Use:   "add EMAIL --role ROLE [--entities CODES] [--password-stdin]",
		Short: "Create or update a user (role, entities, department, password); journaled",
		Long: "Create or update a user. Roles: admin, credit_manager, agent, sales_rep, department, division_manager, auditor.\n" +
			"--entities FR01,DE01 limits the user to those entities; without it the user works across all entities.\n" +
			"--password-stdin reads the password from the first line of standard input (at least 12 characters);\n" +
			"without it, an existing password is kept and a new user cannot sign in until one is set.",
		Args: cobra.ExactArgs(1),
		RunE: withStore(cfg, func(cmd *cobra.Command, st *store.Store, args []string) error {
			var password string
			if passwordStdin {
				line, err := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
				if err != nil && line == "" {
					return fmt.Errorf("--password-stdin: no password on standard input")
				}
				password = strings.TrimRight(line, "\r\n")
			}
			var ents *[]string
			if cmd.Flags().Changed("entities") {
				list := []string{}
				for _, e := range strings.Split(entities, ",") {
					if e = strings.TrimSpace(e); e != "" {
						list = append(list, e)
					}
				}
				ents = &list
			}
			spec, err := auth.UserSpec(args[0], name, role, department, password, ents)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			u, err := st.PutUser(ctx, spec, cliActor())
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "user %s: role %s, entities %s, can sign in: %t\n", u.Email, u.Role, entitiesOf(u), u.CanSignIn)
			return nil
		}),
	}
	add.Flags().StringVar(&role, "role", "", "the user's role (required)")
	add.Flags().StringVar(&entities, "entities", "", "comma-separated entity codes the user works in (default: all)")
	add.Flags().StringVar(&name, "name", "", "display name (default: keep, or the email for a new user)")
	add.Flags().StringVar(&department, "department", "", "for the department role: the task role routed to it, e.g. legal")
	add.Flags().BoolVar(&passwordStdin, "password-stdin", false, "read the password from standard input")
	_ = add.MarkFlagRequired("role")

	list := &cobra.Command{
		Use:   "list",
		Short: "List users, their roles and perimeters",
		Args:  cobra.NoArgs,
		RunE: withStore(cfg, func(cmd *cobra.Command, st *store.Store, _ []string) error {
			ctx := cmd.Context()
			all, err := st.ListUsers(ctx)
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 2, 4, 2, ' ', 0)
			fmt.Fprintln(w, "EMAIL\tROLE\tENTITIES\tDEPARTMENT\tSIGN-IN")
			for _, u := range all {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%t\n", u.Email, u.Role, entitiesOf(u), u.Department, u.CanSignIn && !u.Disabled)
			}
			return w.Flush()
		}),
	}
	users.AddCommand(bind(add, cfg, "DATABASE_URL"), bind(list, cfg, "DATABASE_URL"))
	return users
}

// entitiesOf says a user's perimeter of entities: all, none, or the codes.
func entitiesOf(u store.User) string {
	switch {
	case u.AllEntities:
		return "all"
	case len(u.Entities) == 0:
		return "none"
	}
	return strings.Join(u.Entities, ",")
}

func tokenCmd(cfg *config.Config) *cobra.Command {
	tokens := &cobra.Command{Use: "token", Short: "Manage personal API tokens"}
	var name, scope, expires string
	create := &cobra.Command{
		Use:   "create EMAIL [--expires 90d] [--scope full|import]",
		Short: "Create an API token for a user and print it, once (only its hash is kept)",
		Args:  cobra.ExactArgs(1),
		RunE: withStore(cfg, func(cmd *cobra.Command, st *store.Store, args []string) error {
			ctx := cmd.Context()
			tok, secret, err := auth.IssueToken(ctx, st, args[0], name, scope, expires, cliActor())
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "token %d for %s (%s), expires %s; it is shown only now:\n",
				tok.ID, tok.UserEmail, tok.Scope, tok.ExpiresAt.Format("2006-01-02 15:04 MST"))
			fmt.Fprintln(cmd.OutOrStdout(), secret)
			return nil
		}),
	}
	create.Flags().StringVar(&name, "name", "cli", "what the token is for")
	create.Flags().StringVar(&scope, "scope", "full", "full (the user's role) or import (ERP imports only)")
	create.Flags().StringVar(&expires, "expires", "", "lifetime (90d, 12h), date (2027-06-30) or RFC 3339 time; default 90d, at most 2 years")
	var id int64
	revoke := &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke a token at once",
		Args:  cobra.ExactArgs(1),
		RunE: withStore(cfg, func(cmd *cobra.Command, st *store.Store, args []string) error {
			if _, err := fmt.Sscan(args[0], &id); err != nil || id < 1 {
				return fmt.Errorf("token id %q: want a positive number (see recoup token list)", args[0])
			}
			ctx := cmd.Context()
			if err := st.RevokeToken(ctx, id, nil, cliActor()); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "token %d revoked\n", id)
			return nil
		}),
	}
	list := &cobra.Command{
		Use:   "list",
		Short: "List every token (never the secrets)",
		Args:  cobra.NoArgs,
		RunE: withStore(cfg, func(cmd *cobra.Command, st *store.Store, _ []string) error {
			ctx := cmd.Context()
			all, err := st.ListTokens(ctx, nil)
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 2, 4, 2, ' ', 0)
			fmt.Fprintln(w, "ID\tUSER\tNAME\tSCOPE\tEXPIRES\tREVOKED\tLAST USED")
			for _, t := range all {
				fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.UserEmail, t.Name, t.Scope, when(t.ExpiresAt), when(t.RevokedAt), when(t.LastUsedAt))
			}
			return w.Flush()
		}),
	}
	tokens.AddCommand(bind(create, cfg, "DATABASE_URL"), bind(revoke, cfg, "DATABASE_URL"), bind(list, cfg, "DATABASE_URL"))
	return tokens
}

func when(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04")
}
