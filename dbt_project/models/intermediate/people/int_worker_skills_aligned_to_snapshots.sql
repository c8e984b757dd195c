{#- The worker skills extract's state on every HR snapshot date: its latest delivery on or before the
    date. -#}
{{ people_aligned_to_snapshots('worker_skills', [
    'worker_id',
    'skill_id',
    'evidence',
    'proficiency',
    'assessed_date',
    'expires_date',
]) }}
