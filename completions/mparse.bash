# bash completion for mparse(1)
_mparse()
{
	local cur prev words cword mode i
	_init_completion || return
	local modes="json headers addr tree text part extract bounce"
	mode=
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		json|headers|addr|tree|text|part|extract|bounce)
			mode=${words[i]}
			break
			;;
		esac
	done
	case $prev in
	-h|--header)
		COMPREPLY=($(compgen -W "from to cc bcc sender reply-to subject date message-id" -- "$cur"))
		return
		;;
	-o|--output)
		_filedir -d
		return
		;;
	-p|--part)
		return
		;;
	esac
	if [[ $cur == -* ]]; then
		case $mode in
		headers) COMPREPLY=($(compgen -W "-h --header -r --raw -v --verbose --help" -- "$cur")) ;;
		addr) COMPREPLY=($(compgen -W "-h --header -a --addr-only -v --verbose --help" -- "$cur")) ;;
		text) COMPREPLY=($(compgen -W "--html -v --verbose --help" -- "$cur")) ;;
		extract) COMPREPLY=($(compgen -W "-o --output -f --force -p --part -v --verbose --help" -- "$cur")) ;;
		'') COMPREPLY=($(compgen -W "-v --verbose --json --help" -- "$cur")) ;;
		*) COMPREPLY=($(compgen -W "-v --verbose --help" -- "$cur")) ;;
		esac
		return
	fi
	if [[ -z $mode ]]; then
		COMPREPLY=($(compgen -W "$modes" -- "$cur"))
	fi
	_filedir
}
complete -F _mparse mparse
