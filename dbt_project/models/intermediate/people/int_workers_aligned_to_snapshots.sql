{#- The workers extract's state on every HR snapshot date: its latest delivery on or before the
    date. Personal data (names, e-mail) is left in staging. -#}
{{ people_aligned_to_snapshots('workers', [
    'worker_id',
    'worker_key',
    'job_profile_id',
    'org_unit_id',
    'cost_center_id',
    'manager_worker_id',
    'worker_status',
    'fte',
    'hired_date',
    'terminated_date',
]) }}
