#!/usr/bin/env bash
# The bash completion against the binary it completes: runs the completion
# function on command lines as bash would and compares what it offers with
# `minivmm --help`, `minivmm doctor --help` and `minivmm ctl --help` (options,
# ctl's commands and each command's NAME= arguments) and with the control
# events the source emits; then a few value completions.
#   .ci/completion.sh [MINIVMM COMPLETION-FILE]
#   (default: build/minivmm, built by tests/build.sh if missing, and
#   contrib/bash-completion/minivmm)
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
(($# == 2 || $# == 0)) || ci_die "usage: .ci/completion.sh [MINIVMM COMPLETION-FILE]"
if (($# == 0)); then
	set -- "$CI_TOP/build/minivmm" "$CI_TOP/contrib/bash-completion/minivmm"
	[[ -x $1 ]] || ci_quiet "${TMPDIR:-/tmp}/minivmm-completion-build.log" nice -n 10 "$CI_TOP/tests/build.sh" ||
		ci_die "tests/build.sh failed"
fi
minivmm=$1 file=$2
ci_need bash-completion
work=$(mktemp -d /tmp/minivmm-completion.XXXXXX)
trap 'rm -rf "$work"' EXIT

# shellcheck disable=SC1091 # Debian's bash-completion
. /usr/share/bash-completion/bash_completion
# shellcheck disable=SC1090
. "$file"
complete -p minivmm >/dev/null 2>&1 || ci_die "$file registers no completion for minivmm"
# compopt works only inside a completion bash started; its options (nospace)
# are not what is checked here.
compopt() { :; }

# offered WORD...: what completing the last WORD of "minivmm WORD..." offers,
# sorted, one a line (the last WORD may be empty: a new word).
offered() {
	local COMP_WORDS=(minivmm "$@") COMP_CWORD=$# COMP_LINE="minivmm $*" COMPREPLY=()
	local COMP_POINT=${#COMP_LINE}
	_minivmm minivmm "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	((${#COMPREPLY[@]})) || return 0
	printf '%s\n' "${COMPREPLY[@]}" | sort -u
}

fails=0 checks=0
# same WHAT EXPECTED GOT: one check.
same() {
	checks=$((checks + 1))
	if [[ $2 != "$3" ]]; then
		fails=$((fails + 1))
		ci_log "FAIL $1: $(diff <(echo "$2") <(echo "$3") | grep '^[<>]' |
			sed 's/^</missing/; s/^>/extra/' | tr '\n' ' ')"
	fi
}

"$minivmm" --help >"$work/help"
"$minivmm" doctor --help >"$work/doctor"
"$minivmm" ctl --help >"$work/ctl"

# Options: the first words of the option lines ("  -q, --quiet", "  --kernel FILE").
help_opts() { grep -oE '^  (-[a-z], )?--?[a-z][a-z-]*' | grep -oE -- '--?[a-z][a-z-]*' | sort -u; }
same "minivmm --<TAB> vs --help" "$( (help_opts <"$work/help" | grep -- '^--'; echo --) | sort -u)" "$(offered --)"
same "minivmm -<TAB> offers -q -v -h" "$(printf -- '-%s\n' h q v)" "$(offered - | grep -E '^-[a-z]$')"
same "minivmm <TAB>: the subcommands" "$(printf '%s\n' ctl doctor)" "$(offered '')"
same "minivmm doctor --<TAB> vs doctor --help" \
	"$( (head -n 1 "$work/doctor" | grep -oE -- '--[a-z-]+'; echo --help) | sort -u)" "$(offered doctor --)"
same "minivmm ctl -<TAB> vs ctl --help" \
	"$(sed -n '/^Options/,/^$/p' "$work/ctl" | help_opts)" "$(offered ctl -)"

# ctl's commands: the lines of two-space indent in its Commands section.
sed -n '/^Commands/,/^$/p' "$work/ctl" | grep -E '^  [a-z]' >"$work/cmds" ||
	ci_die "no commands in minivmm ctl --help"
same "minivmm ctl PATH <TAB> vs ctl --help" "$(awk '{print $1}' "$work/cmds" | sort -u)" \
	"$(offered ctl /run/vm.sock '')"
same "minivmm ctl --pretty --timeout 5 PATH <TAB>" "$(awk '{print $1}' "$work/cmds" | sort -u)" \
	"$(offered ctl --pretty --timeout 5 /run/vm.sock '')"
while read -r cmd args; do
	same "minivmm ctl PATH $cmd <TAB> vs its arguments in ctl --help" \
		"$(grep -oE '[a-z_]+=' <<<"$args" | sort -u)" "$(offered ctl /run/vm.sock "$cmd" '')"
done <"$work/cmds"
same "minivmm ctl --json PATH <TAB>: nothing (a JSON request)" "" "$(offered ctl --json /run/vm.sock '')"

# Events: those the source pushes (ctl_event_begin, and the event log's kinds).
events=$(grep -rhoE '(ctl_event_begin|eventlog_add)\([^,]*, "[a-z-]+"' "$CI_TOP/src" |
	grep -oE '"[a-z-]+"' | tr -d '"' | sort -u)
[[ -n $events ]] || ci_die "found no events in $CI_TOP/src"
same "minivmm ctl --wait-event <TAB> vs the events in src/" "$events" "$(offered ctl --wait-event '')"

# Values.
same "ctl PATH unplug release=<TAB>" "$(printf 'release=%s\n' false true)" \
	"$(offered ctl /run/vm.sock unplug release=)"
same "ctl PATH help command=s<TAB>" "$(grep -oE '^  s[a-z-]+' "$work/cmds" | sed 's/^  /command=/' | sort -u)" \
	"$(offered ctl /run/vm.sock help command=s)"
same "--assign 0000:03:00.0,<TAB>" "$(printf '0000:03:00.0,irq=%s\n' intx msi msix)" \
	"$(offered --assign 0000:03:00.0,)"
same "--trace 0000:03:00.0:<TAB>" "$(printf '0000:03:00.0:%s\n' bar0 bar1 bar2 bar3 bar4 bar5 config)" \
	"$(offered --trace 0000:03:00.0:)"
same "--trace 03:00.0:c<TAB>" "03:00.0:config" "$(offered --trace 03:00.0:c)"
mkdir "$work/files" "$work/files/dir"
touch "$work/files/linux-image.deb" "$work/files/notes.txt"
same "--kernel-package <TAB>: .deb files and directories" "$(printf '%s\n' dir linux-image.deb)" \
	"$(cd "$work/files" && offered --kernel-package '')"
same "--modules <TAB>: directories" "dir" "$(cd "$work/files" && offered --modules '')"
same "after --: the guest's command line" "" "$(offered --run-me -- --ke)"
same "--mem <TAB>: a size, nothing offered" "" "$(offered --mem '')"

((fails == 0)) || ci_die "$fails of $checks completion checks failed"
ci_log "bash completion: $checks checks passed (options of --help, doctor --help, ctl --help; $(wc -l <"$work/cmds") ctl commands and their arguments; $(wc -w <<<"$events") events)"
