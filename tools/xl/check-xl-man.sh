#!/bin/sh
# Every subcommand in xl's command table (tools/xl/xl_cmdtable.c) has its
# `=item B<name>' in docs/man/xl.1.pod, and every subcommand the page
# documents is in the table.  TAP output, one test per name.
set -u
src=${top_srcdir:-$(dirname "$0")/../..}
table=$src/tools/xl/xl_cmdtable.c
pod=$src/docs/man/xl.1.pod

for f in "$table" "$pod"; do
    if [ ! -r "$f" ]; then
        echo "Bail out! cannot read $f"
        exit 1
    fi
done

# A table entry opens with its name: `    { "name",'.
commands=$(sed -n 's/^    { "\([a-z][a-z0-9-]*\)",.*/\1/p' "$table" |
           sort -u)
# The page's subcommands: the items of its `... SUBCOMMANDS' sections
# whose name is a word (options such as B<-p> start with '-').
documented=$(awk '
    /^=head1 / { in_cmds = ($0 ~ /SUBCOMMANDS$/) }
    in_cmds && /^=item B<[a-z][a-z0-9-]*>/ {
        name = $0
        sub(/^=item B</, "", name)
        sub(/>.*/, "", name)
        print name
    }' "$pod" | sort -u)

if [ -z "$commands" ]; then
    echo "Bail out! no command found in $table"
    exit 1
fi

n=0
fail=0
plan=$(printf '%s\n%s\n' "$commands" "$documented" | grep -c .)
echo "1..$plan"

# result OK TEST HINT: one TAP line for TEST, and HINT if not OK.
result() {
    n=$((n + 1))
    if [ "$1" = yes ]; then
        echo "ok $n - $2"
    else
        echo "not ok $n - $2"
        echo "# $3"
        fail=1
    fi
}

# listed NAME LIST: whether NAME is a line of LIST.
listed() {
    printf '%s\n' "$2" | grep -qx -- "$1"
}

for c in $commands; do
    if listed "$c" "$documented"; then ok=yes; else ok=no; fi
    result $ok "xl $c is documented in xl.1" \
        "add an '=item B<$c> ...' to a SUBCOMMANDS section of $pod"
done
for c in $documented; do
    if listed "$c" "$commands"; then ok=yes; else ok=no; fi
    result $ok "xl.1's $c is in the command table" \
        "$pod documents '$c', which $table does not have"
done
exit $fail
