# bash completion for mdig-mx(1)
_mdig_mx()
{
	local cur prev words cword i check
	_init_completion || return
	case $prev in
	-r|--resolver|-t|--timeout|-P|--port|--ip|--sender|--parallel)
		return
		;;
	--helo)
		_known_hosts_real -- "$cur"
		return
		;;
	--tls-trust-file)
		_filedir
		return
		;;
	-c|--checks)
		COMPREPLY=($(compgen -W 'mx spf dmarc mta-sts tls-rpt dane' -- "$cur"))
		return
		;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W '-j --json -r --resolver -t --timeout --trust-ad -p --probe -P --port --tls-trust-file --batch --parallel -v --verbose -c --checks --ip --sender --helo -h --help -V --version' -- "$cur"))
		return
	fi
	check=
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		mx|spf|dmarc|mta-sts|tls-rpt|dane|probe) check=${words[i]} ;;
		esac
	done
	[[ -z $check ]] && COMPREPLY=($(compgen -W "mx spf dmarc mta-sts tls-rpt dane probe" -- "$cur"))
}
complete -F _mdig_mx mdig-mx
