# bash completion for nestlab. Installed as share/bash-completion/completions/nestlab.
# What completes is decided by nestlab itself (`nestlab __complete WORDS... CURRENT`), from the
# same tables as --help, and names come from the inventory cache (no network).
_nestlab() {
    local cur=${COMP_WORDS[COMP_CWORD]}
    local IFS=$'\n'
    # shellcheck disable=SC2207  # one candidate per line, IFS is a newline
    COMPREPLY=($("${COMP_WORDS[0]}" __complete "${COMP_WORDS[@]:1:COMP_CWORD-1}" "$cur" 2>/dev/null))
}
complete -o default -F _nestlab nestlab
