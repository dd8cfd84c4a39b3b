"""The operations behind the commands, one module each (as mkdocs' ``mkdocs/commands/``).

Each is a plain function over the stages (load → validate → plan → render →
print) that takes a project folder and options and returns typed results; none
prints or parses options.  ``psa_report.cli`` parses options and prints what they
return; a preview server or a test calls them directly.
"""
