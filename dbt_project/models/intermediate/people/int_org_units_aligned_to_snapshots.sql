{#- The org units extract's state on every HR snapshot date: its latest delivery on or before the
    date. -#}
{{ people_aligned_to_snapshots('org_units', [
    'org_unit_id',
    'parent_org_unit_id',
    'cost_center_id',
    'org_unit_name',
    'org_unit_type',
    'is_ai_ccoe',
    'is_root',
]) }}
