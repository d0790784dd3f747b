# Under Slurm, where one is configured on the machine (skipped otherwise):
# scancel SIGKILLs a job step's hutch after KillWait, and the --rm container
# it ran is removed by the next hutch command, as docker's daemon would have
# removed it; nothing of it keeps running.

slurm_ready() {
    command -v sbatch >/dev/null || skip "Slurm is not installed"
    local state i
    # The other test user's job may still be completing on the one node.
    for ((i = 0; i < 150; i++)); do
        state=$(sinfo -h -o %t 2>/dev/null | head -n 1)
        case $state in
        idle | mix) return 0 ;;
        comp* | alloc) sleep 0.1 ;;
        *) break ;;
        esac
    done
    skip "no Slurm node ready here (sinfo: ${state:-no answer})"
}

test_scancel_of_a_job_step_leaves_no_container() {
    slurm_ready
    local c job i
    c=$(name)
    job=$(sbatch --parsable -o "$WORK/job.out" -D "$WORK" --wrap "srun $HUTCH run --rm --name $c $IMG sleep 300") ||
        fail "sbatch failed"
    for ((i = 0; i < 300; i++)); do
        [ "$(hutch ps --filter "name=$c" --format '{{.State}}')" = running ] && break
        sleep 0.1
    done
    [ "$(hutch ps --filter "name=$c" --format '{{.State}}')" = running ] ||
        { scancel "$job"; fail "the job's container did not start" "$(cat "$WORK/job.out"; squeue)"; }
    scancel "$job"
    for ((i = 0; i < 300; i++)); do
        [ -z "$(squeue -h -j "$job" 2>/dev/null)" ] && break
        sleep 0.1
    done
    [ -z "$(squeue -h -j "$job" 2>/dev/null)" ] || fail "the job did not end" "$(squeue)"
    run hutch ps -a --filter "name=$c" --format '{{.Names}} {{.Status}}'
    assert_ok
    assert_eq "" "$out" "containers after scancel"
}
