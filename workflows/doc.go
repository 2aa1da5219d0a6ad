// Package workflows implements Recoup's Temporal workflows. Workflow code is
// deterministic: it does no I/O and reaches the world only through the
// activities, which it names by method value so the compiler checks them.
// Names, IDs and payloads other processes use are declared in package flow.
package workflows
