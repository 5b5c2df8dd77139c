# shellcheck shell=bash
# Bash completion for claude-remote: commands, options, and sandbox id prefixes (asked of
# the servers with `claude-remote __ids`, which never prompts and gives up after 5 s).

_claude_remote_ids() {
    local -a host_args=()
    local i
    for ((i = 1; i < ${#words[@]}; i++)); do
        case ${words[i]} in
        --host) host_args+=(--host "${words[i + 1]:-}") ;;
        --host=*) host_args+=("${words[i]}") ;;
        esac
    done
    "${words[0]}" "${host_args[@]}" __ids 2>/dev/null
}

_claude_remote() {
    local cur prev words cword
    if declare -F _init_completion >/dev/null 2>&1; then
        _init_completion -n = || return
    else
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD - 1]:-}
    fi

    local commands
    commands=$("${words[0]}" __commands 2>/dev/null | tr '\n' ' ')
    local globals="--host --json --table --help --version"
    local i cmd="" cmd_at=0 npos=0

    if [[ $prev == --host ]]; then
        if declare -F _known_hosts_real >/dev/null 2>&1; then
            _known_hosts_real -- "$cur"
        fi
        return
    fi

    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
        --host) ((i++)) ;;
        -*) ;;
        *)
            cmd=${words[i]}
            cmd_at=$i
            break
            ;;
        esac
    done
    if [[ -z $cmd ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$commands $globals" -- "$cur")
        return
    fi

    # Positional arguments already given after the command (option values skipped).
    for ((i = cmd_at + 1; i < cword; i++)); do
        case ${words[i]} in
        --host | -n | --lines | --tail | -p | --local-port) ((i++)) ;;
        -*) ;;
        *) ((npos++)) ;;
        esac
    done
    case $prev in
    -n | --lines | --tail | -p | --local-port) return ;;
    esac

    local opts="--json --host --help"
    case $cmd in
    create) opts+=" --no-network --sync" ;;
    list | ls) opts+=" --table" ;;
    logs) opts+=" --follow -f --lines -n" ;;
    screenshot) opts+=" --thumb" ;;
    send) opts+=" --keys --no-enter --force" ;;
    screen) opts+=" --ansi" ;;
    ui) opts="--local-port --host --help" ;;
    esac
    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
        return
    fi

    case $cmd in
    attach | logs | metrics | send | screen)
        ((npos == 0)) && mapfile -t COMPREPLY < <(compgen -W "$(_claude_remote_ids)" -- "$cur")
        ;;
    start | stop | delete | rm)
        mapfile -t COMPREPLY < <(compgen -W "$(_claude_remote_ids)" -- "$cur")
        ;;
    screenshot)
        if ((npos == 0)); then
            mapfile -t COMPREPLY < <(compgen -W "$(_claude_remote_ids)" -- "$cur")
        elif ((npos == 1)); then
            compopt -o filenames 2>/dev/null
            mapfile -t COMPREPLY < <(compgen -f -- "$cur")
        fi
        ;;
    create)
        if ((npos == 2)); then
            compopt -o filenames 2>/dev/null
            mapfile -t COMPREPLY < <(compgen -d -- "$cur")
        fi
        ;;
    sync | watch)
        if ((npos <= 1)); then
            compopt -o filenames 2>/dev/null
            mapfile -t COMPREPLY < <(compgen -d -- "$cur")
        fi
        ;;
    help)
        ((npos == 0)) && mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur")
        ;;
    esac
}

complete -F _claude_remote claude-remote
