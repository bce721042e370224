# fish completion for mparse(1)
set -l modes json headers addr tree text part extract bounce
complete -c mparse -f
complete -c mparse -n "not __fish_seen_subcommand_from $modes" -a json -d 'the whole message as JSON'
complete -c mparse -n "not __fish_seen_subcommand_from $modes" -a headers -d 'header fields'
complete -c mparse -n "not __fish_seen_subcommand_from $modes" -a addr -d 'addresses'
complete -c mparse -n "not __fish_seen_subcommand_from $modes" -a tree -d 'the part tree'
complete -c mparse -n "not __fish_seen_subcommand_from $modes" -a text -d 'the best text body'
complete -c mparse -n "not __fish_seen_subcommand_from $modes" -a part -d 'one decoded part'
complete -c mparse -n "not __fish_seen_subcommand_from $modes" -a extract -d 'save attachments'
complete -c mparse -n "not __fish_seen_subcommand_from $modes" -a bounce -d 'delivery status'
complete -c mparse -s v -l verbose -d 'report defects of the input'
complete -c mparse -n "not __fish_seen_subcommand_from $modes" -l json -d 'print JSON'
complete -c mparse -l help -d 'print usage'
complete -c mparse -n "__fish_seen_subcommand_from headers addr" -s h -l header -x -a 'from to cc bcc sender reply-to subject date message-id' -d 'header names'
complete -c mparse -n "__fish_seen_subcommand_from headers" -s r -l raw -d 'values as written'
complete -c mparse -n "__fish_seen_subcommand_from addr" -s a -l addr-only -d 'addresses only'
complete -c mparse -n "__fish_seen_subcommand_from text" -l html -d 'prefer HTML'
complete -c mparse -n "__fish_seen_subcommand_from extract" -s o -l output -x -a '(__fish_complete_directories)' -d 'target directory'
complete -c mparse -n "__fish_seen_subcommand_from extract" -s f -l force -d 'replace existing files'
complete -c mparse -n "__fish_seen_subcommand_from extract" -s p -l part -x -d 'sections to save'
complete -c mparse -n "__fish_seen_subcommand_from $modes" -F
