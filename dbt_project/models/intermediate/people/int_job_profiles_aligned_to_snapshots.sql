{#- The job profiles extract's state on every HR snapshot date: its latest delivery on or before the
    date. -#}
{{ people_aligned_to_snapshots('job_profiles', [
    'job_profile_id',
    'job_title',
    'job_family',
    'management_level',
]) }}
