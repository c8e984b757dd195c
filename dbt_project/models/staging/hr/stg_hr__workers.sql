with

source as (

    select * from {{ source('hr', 'hr__workers') }}

),

renamed as (

    select
        worker_id,
        {{ pseudonymise('worker_id') }} as worker_key,
        _as_of_date as snapshot_date

    from source

)

select * from renamed
